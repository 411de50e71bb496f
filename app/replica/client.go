// Package replica copies paygate's database off the machine continuously
// with Litestream (github.com/benbjohnson/litestream, embedded as a library)
// and rebuilds a data directory from such a copy.
//
// Litestream ships every committed change of paygate.db, batched each
// quarter sync interval and uploaded within another quarter, to a directory, an S3-compatible bucket or an SFTP server, and
// keeps snapshots for a point-in-time restore. The replicator runs it for the
// life of the process: it must start before paygate opens its own connections
// and stop after they are closed (Litestream holds a file handle on the
// database, and closing any handle drops the process's POSIX locks on it).
package replica

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/benbjohnson/litestream"
	"github.com/benbjohnson/litestream/file"
	"github.com/benbjohnson/litestream/s3"
	"github.com/benbjohnson/litestream/sftp"
	"golang.org/x/crypto/ssh"

	"paygate/app"
)

// newClient builds the Litestream client for s.
func newClient(s app.ReplicaSettings) (litestream.ReplicaClient, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	u, _ := url.Parse(s.URL) // Validate parsed it
	switch strings.ToLower(u.Scheme) {
	case app.ReplicaFile:
		return file.NewReplicaClient(localPath(u.Path)), nil
	case app.ReplicaS3:
		return newS3Client(s, u)
	default:
		return newSFTPClient(s, u)
	}
}

// localPath turns a file URL's path into the OS's: /D:/x is D:\x on Windows.
func localPath(p string) string {
	if runtime.GOOS == "windows" && len(p) >= 3 && p[0] == '/' && p[2] == ':' {
		p = p[1:]
	}
	return filepath.Clean(filepath.FromSlash(p))
}

// ErrCABundle: AWS_CA_BUNDLE is set, which the S3 client Litestream builds
// cannot take (aws-sdk-go-v2 refuses a custom CA bundle with a plain
// *http.Client and the client fails to start).
var ErrCABundle = errors.New("AWS_CA_BUNDLE is set")

func newS3Client(s app.ReplicaSettings, u *url.URL) (litestream.ReplicaClient, error) {
	if v := os.Getenv("AWS_CA_BUNDLE"); v != "" {
		return nil, fmt.Errorf("%w (%w)", app.NewError(app.EUNAVAILABLE, "replica.url",
			"环境变量 AWS_CA_BUNDLE 已设置（"+app.Clip(v, 80)+"）：paygate 内置的 Litestream S3 客户端不能使用它，会无法连接存储桶。请在启动 paygate 的环境里去掉它（例如 env -u AWS_CA_BUNDLE paygate，或在 systemd 服务里写 UnsetEnvironment=AWS_CA_BUNDLE）；存储桶用私有 CA 签发的证书时，把这个 CA 加进系统的信任证书。",
			"The environment variable AWS_CA_BUNDLE is set ("+app.Clip(v, 80)+"): the S3 client Litestream builds inside paygate cannot use it and would not connect. Remove it from paygate's environment (e.g. env -u AWS_CA_BUNDLE paygate, or UnsetEnvironment=AWS_CA_BUNDLE in the systemd unit); if the bucket's certificate comes from a private CA, add that CA to the system's trusted certificates."),
			ErrCABundle)
	}
	q := u.Query()
	if s.Endpoint != "" {
		q.Set("endpoint", s.Endpoint)
	}
	if endpoint := q.Get("endpoint"); endpoint != "" && q.Get("force-path-style") == "" && q.Get("forcePathStyle") == "" && virtualHostedOnly(endpoint) {
		// Aliyun OSS refuses path-style requests, Tencent COS prefers the
		// bucket in the host name; Litestream defaults custom endpoints to
		// path style (MinIO's way).
		q.Set("force-path-style", "false")
	}
	region := s.Region
	if region == "" {
		region = regionOf(q.Get("endpoint"))
	}
	if region != "" {
		q.Set("region", region)
	}
	c, err := s3.NewReplicaClientFromURL(app.ReplicaS3, u.Host, litestream.CleanReplicaURLPath(u.Path), q, nil)
	if err != nil {
		return nil, app.NewError(app.EINVALID, "replica.url",
			"S3 副本地址无法使用（"+app.Clip(err.Error(), 120)+"）：请写成 s3://存储桶/目录，服务地址填在 endpoint。",
			"The S3 replica address cannot be used ("+app.Clip(err.Error(), 120)+"): write it as s3://bucket/dir with the endpoint apart.")
	}
	sc := c.(*s3.ReplicaClient)
	if s.AccessKeyID != "" {
		sc.AccessKeyID, sc.SecretAccessKey = s.AccessKeyID, s.SecretAccessKey
	}
	if sc.Region == "" {
		sc.Region = s3.DefaultRegion
	}
	return sc, nil
}

// virtualHostedOnly: stores that want the bucket in the host name.
func virtualHostedOnly(endpoint string) bool {
	e, err := url.Parse(endpoint)
	if err != nil {
		return false
	}
	h := strings.ToLower(e.Hostname())
	return strings.HasSuffix(h, ".aliyuncs.com") || strings.HasSuffix(h, ".myqcloud.com")
}

// regionOf reads the region from the well-known endpoints of Aliyun OSS
// (oss-cn-hangzhou.aliyuncs.com), Tencent COS (cos.ap-shanghai.myqcloud.com)
// and Cloudflare R2 (auto).
func regionOf(endpoint string) string {
	e, err := url.Parse(endpoint)
	if err != nil {
		return ""
	}
	h := strings.ToLower(e.Hostname())
	switch {
	case strings.HasSuffix(h, ".r2.cloudflarestorage.com"):
		return "auto"
	case strings.HasSuffix(h, ".aliyuncs.com"):
		first, _, _ := strings.Cut(h, ".")
		return strings.TrimSuffix(strings.TrimPrefix(first, "oss-"), "-internal")
	case strings.HasSuffix(h, ".myqcloud.com") && strings.HasPrefix(h, "cos."):
		region, _, _ := strings.Cut(strings.TrimPrefix(h, "cos."), ".")
		return region
	}
	return ""
}

func newSFTPClient(s app.ReplicaSettings, u *url.URL) (litestream.ReplicaClient, error) {
	if _, _, _, _, err := ssh.ParseAuthorizedKey([]byte(s.HostKey)); err != nil {
		return nil, app.NewError(app.EINVALID, "replica.host_key",
			"SFTP 主机公钥无法识别（"+app.Clip(err.Error(), 80)+"）：请复制 ssh-keyscan 输出里以 ssh-ed25519（或 ecdsa-sha2-…、ssh-rsa）开头的整段。",
			"The SFTP host key cannot be read ("+app.Clip(err.Error(), 80)+"): copy the whole part of ssh-keyscan's output that starts with ssh-ed25519 (or ecdsa-sha2-…, ssh-rsa).")
	}
	if s.KeyFile != "" {
		if _, err := os.Stat(s.KeyFile); err != nil {
			return nil, app.NewError(app.EINVALID, "replica.key_file",
				"找不到 SFTP 私钥文件 "+s.KeyFile+"：请填写 paygate 能读到的完整路径（不支持带密码的私钥）。",
				"The SFTP private key file "+s.KeyFile+" cannot be found: give a full path paygate can read (keys with a passphrase are not supported).")
		}
	}
	c := sftp.NewReplicaClient()
	c.Host = u.Host
	if u.Port() == "" {
		c.Host = net.JoinHostPort(u.Hostname(), "22")
	}
	c.User = u.User.Username()
	c.Password, _ = u.User.Password()
	c.KeyPath = s.KeyFile
	c.HostKey = s.HostKey // never empty here: Litestream would then accept any server
	c.Path = u.Path
	return c, nil
}
