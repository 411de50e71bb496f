package app

import (
	"encoding/base64"
	"net/url"
	"path"
	"strings"
)

// ReplicaSettings say where the database is copied off this machine,
// continuously (Litestream): a directory on another disk (file://), an
// S3-compatible bucket (s3://: Aliyun OSS, Tencent COS, Cloudflare R2,
// MinIO, AWS) or an SSH server (sftp://). URL "" is off.
type ReplicaSettings struct {
	URL string // file:///mnt/backup/paygate, s3://bucket/path, sftp://user@host:22/path
	// S3-compatible stores.
	Endpoint        string // e.g. https://oss-cn-hangzhou.aliyuncs.com; "" = AWS S3
	Region          string // e.g. cn-hangzhou, ap-shanghai, auto (R2)
	AccessKeyID     string
	SecretAccessKey string
	// SFTP.
	HostKey string // the server's public key, as ssh-keyscan prints it: "ssh-ed25519 AAAA…"; required
	KeyFile string // private key file for the login; or a password in the URL
}

// Replica schemes.
const (
	ReplicaFile = "file"
	ReplicaS3   = "s3"
	ReplicaSFTP = "sftp"
)

// ReplicaKeys are the replica settings' config keys, which are also their
// keys in the settings table when saved in the console.
var ReplicaKeys = []string{
	"replica.url", "replica.endpoint", "replica.region", "replica.access_key_id",
	"replica.secret_access_key", "replica.host_key", "replica.key_file",
}

// field is the setting stored under key.
func (s *ReplicaSettings) field(key string) *string {
	switch key {
	case "replica.url":
		return &s.URL
	case "replica.endpoint":
		return &s.Endpoint
	case "replica.region":
		return &s.Region
	case "replica.access_key_id":
		return &s.AccessKeyID
	case "replica.secret_access_key":
		return &s.SecretAccessKey
	case "replica.host_key":
		return &s.HostKey
	case "replica.key_file":
		return &s.KeyFile
	}
	return nil
}

// Get is the setting stored under key (one of ReplicaKeys).
func (s ReplicaSettings) Get(key string) string {
	if p := s.field(key); p != nil {
		return *p
	}
	return ""
}

// Set changes the setting stored under key (one of ReplicaKeys), trimmed.
func (s *ReplicaSettings) Set(key, value string) {
	if p := s.field(key); p != nil {
		*p = strings.TrimSpace(value)
	}
}

// ReplicaFromValues reads the settings from settings-table rows.
func ReplicaFromValues(values map[string]string) ReplicaSettings {
	var s ReplicaSettings
	for _, k := range ReplicaKeys {
		s.Set(k, values[k])
	}
	return s
}

// Values are the settings as settings-table rows.
func (s ReplicaSettings) Values() map[string]string {
	out := make(map[string]string, len(ReplicaKeys))
	for _, k := range ReplicaKeys {
		out[k] = s.Get(k)
	}
	return out
}

// MergeReplica is the settings in force: each one pinned by config.yaml or
// the environment (pinned[key]) from config, the others as saved in the console.
func MergeReplica(saved, config ReplicaSettings, pinned map[string]Source) ReplicaSettings {
	out := saved
	for _, k := range ReplicaKeys {
		if pinned[k].Pinned() {
			out.Set(k, config.Get(k))
		}
	}
	return out
}

// On: replication is set up.
func (s ReplicaSettings) On() bool { return s.URL != "" }

// Scheme is file, s3 or sftp ("" when off or unreadable).
func (s ReplicaSettings) Scheme() string {
	u, err := url.Parse(s.URL)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Scheme)
}

// SafeURL is the URL without an SFTP password, fit to show or log.
func (s ReplicaSettings) SafeURL() string {
	u, err := url.Parse(s.URL)
	if err != nil {
		return Clip(s.URL, 200)
	}
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	u.Fragment = ""
	return u.String()
}

// Display is the replica's address for a person: the URL without a password
// or query, and the S3 endpoint.
func (s ReplicaSettings) Display() string {
	if !s.On() {
		return ""
	}
	u, err := url.Parse(s.SafeURL())
	if err != nil {
		return Clip(s.URL, 200)
	}
	u.RawQuery = ""
	out := u.String()
	if s.Endpoint != "" {
		out += " @ " + s.Endpoint
	}
	return out
}

// Identity names the place the copy lives, whatever the credentials: two
// settings with one identity write to the same replica.
func (s ReplicaSettings) Identity() string {
	u, err := url.Parse(s.URL)
	if err != nil || !s.On() {
		return ""
	}
	p := path.Clean("/" + strings.Trim(u.Path, "/"))
	switch strings.ToLower(u.Scheme) {
	case ReplicaS3:
		endpoint := strings.TrimRight(strings.ToLower(s.Endpoint), "/")
		if endpoint == "" {
			endpoint = u.Query().Get("endpoint")
		}
		return "s3://" + strings.ToLower(u.Host) + p + " @ " + endpoint
	case ReplicaSFTP:
		return "sftp://" + strings.ToLower(u.Host) + p
	}
	return "file://" + p
}

// Validate checks the settings' form (not whether the replica answers): a
// known scheme with what it needs. Errors name the config key as field.
func (s ReplicaSettings) Validate() error {
	if !s.On() {
		return nil
	}
	u, err := url.Parse(s.URL)
	if err != nil || u.Scheme == "" {
		return replicaURLError(s.URL)
	}
	switch strings.ToLower(u.Scheme) {
	case ReplicaFile:
		if u.Host != "" || !strings.HasPrefix(u.Path, "/") || strings.Trim(u.Path, "/") == "" {
			return NewError(EINVALID, "replica.url",
				"副本目录要写成完整路径，例如 file:///mnt/backup/paygate（三个斜杠；Windows：file:///D:/paygate-replica）。最好放在另一块磁盘或网络盘上。",
				"A replica directory must be a full path, e.g. file:///mnt/backup/paygate (three slashes; Windows: file:///D:/paygate-replica). Another disk or a network drive is best.")
		}
	case ReplicaS3:
		if u.Host == "" {
			return NewError(EINVALID, "replica.url",
				"S3 地址要写存储桶名，例如 s3://my-bucket/paygate。",
				"An S3 address names the bucket, e.g. s3://my-bucket/paygate.")
		}
		if s.Endpoint != "" {
			e, err := url.Parse(s.Endpoint)
			if err != nil || (e.Scheme != "http" && e.Scheme != "https") || e.Host == "" || strings.Trim(e.Path, "/") != "" {
				return NewError(EINVALID, "replica.endpoint",
					"服务地址（endpoint）要写成 https://主机名，例如 https://oss-cn-hangzhou.aliyuncs.com（阿里云 OSS）、https://cos.ap-shanghai.myqcloud.com（腾讯云 COS）、https://<账号ID>.r2.cloudflarestorage.com（Cloudflare R2）。",
					"The endpoint must be https://host, e.g. https://oss-cn-hangzhou.aliyuncs.com (Aliyun OSS), https://cos.ap-shanghai.myqcloud.com (Tencent COS), https://<account id>.r2.cloudflarestorage.com (Cloudflare R2).")
			}
		}
		if (s.AccessKeyID == "") != (s.SecretAccessKey == "") {
			return NewError(EINVALID, "replica.secret_access_key",
				"Access Key ID 和 Secret 要一起填（都留空时用环境变量 AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY）。",
				"Fill in the access key id and the secret together (leave both empty to use AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY from the environment).")
		}
	case ReplicaSFTP:
		if u.Hostname() == "" || u.User == nil || u.User.Username() == "" || strings.Trim(u.Path, "/") == "" {
			return NewError(EINVALID, "replica.url",
				"SFTP 地址要写用户、主机和目录，例如 sftp://backup@203.0.113.5:22/home/backup/paygate。",
				"An SFTP address names the user, the host and a directory, e.g. sftp://backup@203.0.113.5:22/home/backup/paygate.")
		}
		if _, hasPassword := u.User.Password(); !hasPassword && s.KeyFile == "" {
			return NewError(EINVALID, "replica.key_file",
				"SFTP 登录需要私钥文件（填它的路径），或者在地址里写密码：sftp://用户:密码@主机/目录。",
				"The SFTP login needs a private key file (give its path), or a password in the address: sftp://user:password@host/dir.")
		}
		if !looksLikeHostKey(s.HostKey) {
			return NewError(EINVALID, "replica.host_key",
				"请填写 SFTP 服务器的主机公钥，防止连到冒充的服务器：在可信的网络里运行 ssh-keyscan -t ed25519 主机名，复制以 ssh-ed25519 开头的那部分，例如 ssh-ed25519 AAAAC3Nza…",
				"Give the SFTP server's host key so paygate never talks to an impostor: run ssh-keyscan -t ed25519 HOST from a network you trust and copy the part starting with ssh-ed25519, e.g. ssh-ed25519 AAAAC3Nza…")
		}
	default:
		return replicaURLError(s.URL)
	}
	return nil
}

func replicaURLError(raw string) error {
	return NewError(EINVALID, "replica.url",
		"副本地址要以 file://、s3:// 或 sftp:// 开头（收到 "+Clip(raw, 60)+"），例如 s3://my-bucket/paygate。",
		"The replica address must start with file://, s3:// or sftp:// (got "+Clip(raw, 60)+"), e.g. s3://my-bucket/paygate.")
}

// looksLikeHostKey: "<type> <base64 key>" with a known key type.
func looksLikeHostKey(s string) bool {
	fields := strings.Fields(s)
	if len(fields) < 2 {
		return false
	}
	switch fields[0] {
	case "ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521":
	default:
		return false
	}
	_, err := base64.StdEncoding.DecodeString(fields[1])
	return err == nil
}
