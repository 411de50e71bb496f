package app

import (
	"strings"
	"testing"
)

func TestReplicaSettingsValidate(t *testing.T) {
	const hostKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
	tests := []struct {
		name  string
		s     ReplicaSettings
		field string // "" = valid
	}{
		{"off", ReplicaSettings{}, ""},
		{"file", ReplicaSettings{URL: "file:///mnt/backup/paygate"}, ""},
		{"file on windows", ReplicaSettings{URL: "file:///D:/paygate-replica"}, ""},
		{"file relative", ReplicaSettings{URL: "file://backup/paygate"}, "replica.url"},
		{"file root", ReplicaSettings{URL: "file:///"}, "replica.url"},
		{"no scheme", ReplicaSettings{URL: "/mnt/backup"}, "replica.url"},
		{"unknown scheme", ReplicaSettings{URL: "gs://bucket/p"}, "replica.url"},
		{"s3 AWS from the environment", ReplicaSettings{URL: "s3://bucket/paygate"}, ""},
		{"s3 OSS", ReplicaSettings{URL: "s3://bucket/paygate", Endpoint: "https://oss-cn-hangzhou.aliyuncs.com", AccessKeyID: "id", SecretAccessKey: "secret"}, ""},
		{"s3 no bucket", ReplicaSettings{URL: "s3:///paygate"}, "replica.url"},
		{"s3 endpoint with a path", ReplicaSettings{URL: "s3://b/p", Endpoint: "https://oss-cn-hangzhou.aliyuncs.com/b"}, "replica.endpoint"},
		{"s3 endpoint without scheme", ReplicaSettings{URL: "s3://b/p", Endpoint: "oss-cn-hangzhou.aliyuncs.com"}, "replica.endpoint"},
		{"s3 key without secret", ReplicaSettings{URL: "s3://b/p", AccessKeyID: "id"}, "replica.secret_access_key"},
		{"sftp", ReplicaSettings{URL: "sftp://backup@host:22/home/backup/paygate", KeyFile: "/k", HostKey: hostKey}, ""},
		{"sftp password", ReplicaSettings{URL: "sftp://backup:pw@host/home/backup/paygate", HostKey: hostKey}, ""},
		{"sftp without host key", ReplicaSettings{URL: "sftp://backup@host/home/backup/paygate", KeyFile: "/k"}, "replica.host_key"},
		{"sftp with a junk host key", ReplicaSettings{URL: "sftp://backup@host/p", KeyFile: "/k", HostKey: "ssh-ed25519 not-base64!"}, "replica.host_key"},
		{"sftp without login", ReplicaSettings{URL: "sftp://backup@host/p", HostKey: hostKey}, "replica.key_file"},
		{"sftp without user", ReplicaSettings{URL: "sftp://host/p", KeyFile: "/k", HostKey: hostKey}, "replica.url"},
		{"sftp without path", ReplicaSettings{URL: "sftp://backup@host", KeyFile: "/k", HostKey: hostKey}, "replica.url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.s.Validate()
			if ErrorField(err) != tt.field || (err != nil && ErrorCode(err) != EINVALID) {
				t.Fatalf("Validate: %v, want field %q", err, tt.field)
			}
			if err != nil && (ErrorMessage(err, "zh") == ErrorMessage(err, "en") || ErrorMessage(err, "zh") == "") {
				t.Fatalf("the message is not in Chinese and English: %v", err)
			}
		})
	}
}

func TestReplicaSettingsShownWithoutSecrets(t *testing.T) {
	s := ReplicaSettings{URL: "sftp://backup:hunter2@host/p?x=1", SecretAccessKey: "s3cret"}
	for _, shown := range []string{s.Display(), s.SafeURL(), s.Identity()} {
		if strings.Contains(shown, "hunter2") || strings.Contains(shown, "s3cret") {
			t.Fatalf("a secret is shown: %q", shown)
		}
	}
	if got := (ReplicaSettings{URL: "s3://b/p", Endpoint: "https://cos.ap-shanghai.myqcloud.com"}).Display(); got != "s3://b/p @ https://cos.ap-shanghai.myqcloud.com" {
		t.Fatalf("Display = %q", got)
	}
}

// Two settings name one replica whatever the credentials; the endpoint and
// the path tell replicas apart.
func TestReplicaIdentity(t *testing.T) {
	a := ReplicaSettings{URL: "s3://Bucket/paygate/", Endpoint: "https://oss-cn-hangzhou.aliyuncs.com", AccessKeyID: "one", SecretAccessKey: "x"}
	b := ReplicaSettings{URL: "s3://bucket/paygate", Endpoint: "https://OSS-cn-hangzhou.aliyuncs.com/", AccessKeyID: "two", SecretAccessKey: "y"}
	if a.Identity() != b.Identity() {
		t.Fatalf("same replica, two identities: %q %q", a.Identity(), b.Identity())
	}
	for _, other := range []ReplicaSettings{
		{URL: "s3://bucket/paygate-2", Endpoint: a.Endpoint},
		{URL: "s3://bucket/paygate", Endpoint: "https://cos.ap-shanghai.myqcloud.com"},
		{URL: "file:///bucket/paygate"},
	} {
		if other.Identity() == a.Identity() {
			t.Fatalf("%+v has the identity of %+v", other, a)
		}
	}
}

func TestMergeReplica(t *testing.T) {
	saved := ReplicaSettings{URL: "s3://console/p", Endpoint: "https://console.example", AccessKeyID: "console-id", SecretAccessKey: "console-secret"}
	config := ReplicaSettings{URL: "s3://ignored/p", SecretAccessKey: "env-secret"}
	pinned := map[string]Source{"replica.secret_access_key": {Kind: SourceEnv, Name: "PAYGATE_REPLICA_SECRET_ACCESS_KEY"}}
	got := MergeReplica(saved, config, pinned)
	want := ReplicaSettings{URL: "s3://console/p", Endpoint: "https://console.example", AccessKeyID: "console-id", SecretAccessKey: "env-secret"}
	if got != want {
		t.Fatalf("MergeReplica = %+v, want %+v", got, want)
	}
	if back := ReplicaFromValues(got.Values()); back != got {
		t.Fatalf("settings rows do not round-trip: %+v", back)
	}
}
