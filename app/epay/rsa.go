package epay

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"sync"

	"paygate/app"
)

// 彩虹易支付 V2 signs with RSA: SHA256withRSA (RSASSA-PKCS1-v1_5 over
// SHA-256) of the same sorted k=v string as MD5, the signature in standard
// base64. The merchant's private key signs requests (paygate verifies with the
// merchant public key entered in the settings); paygate's platform private key
// signs responses and notifies (the shop verifies with the platform public
// key it was given). Keys travel as one line of base64 of their DER, without
// PEM headers: the official SDK (SDK_2.0 EpayCore) wraps what it is given in
// "-----BEGIN PUBLIC KEY-----" itself, so a pasted PEM would break it.

// RSABits is the size of the keys paygate makes, as 彩虹易支付's generate_key_pair.
const RSABits = 2048

// RSASignString is the text V2 signs: every parameter but sign and
// sign_type, without those whose value is empty once trimmed (PHP's
// an empty trim($v) in 彩虹易支付's getSignContent, so " " is left out and "0"
// kept), sorted by name, joined as k=v with &, values as they are.
func RSASignString(params map[string]string) string {
	return joinSorted(params, func(v string) bool { return strings.TrimSpace(v) == "" })
}

// SignRSA is the base64 SHA256withRSA signature of params under key.
func SignRSA(params map[string]string, key *rsa.PrivateKey) string {
	sum := sha256.Sum256([]byte(RSASignString(params)))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, sum[:])
	if err != nil {
		return "" // only for a broken key, which ParsePrivateKey never returns
	}
	return base64.StdEncoding.EncodeToString(sig)
}

// VerifyRSA reports whether sign is params' signature under key. Like PHP's
// base64_decode it forgives a sign whose + became a space on the way (a
// client that did not URL-encode it), line breaks and missing padding.
func VerifyRSA(params map[string]string, key *rsa.PublicKey, sign string) bool {
	if key == nil {
		return false
	}
	s := strings.Map(func(r rune) rune {
		switch r {
		case ' ':
			return '+'
		case '\r', '\n', '\t':
			return -1
		}
		return r
	}, strings.TrimSpace(sign))
	sig, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		if sig, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "=")); err != nil {
			return false
		}
	}
	sum := sha256.Sum256([]byte(RSASignString(params)))
	return rsa.VerifyPKCS1v15(key, crypto.SHA256, sum[:], sig) == nil
}

// NewKeyPair makes an RSA-2048 key pair.
func NewKeyPair() (*rsa.PrivateKey, error) {
	return rsa.GenerateKey(rand.Reader, RSABits)
}

// PrivateKeyBase64 is key as one line of base64 of its PKCS#8 DER, the form
// 彩虹易支付 shows a merchant private key in and SDK_2.0 expects.
func PrivateKeyBase64(key *rsa.PrivateKey) string {
	der, _ := x509.MarshalPKCS8PrivateKey(key) // cannot fail for an RSA key
	return base64.StdEncoding.EncodeToString(der)
}

// PublicKeyBase64 is key as one line of base64 of its SubjectPublicKeyInfo
// (X.509) DER, the form the shop pastes as 平台公钥 (platform_public_key).
func PublicKeyBase64(key *rsa.PublicKey) string {
	der, _ := x509.MarshalPKIXPublicKey(key) // cannot fail for an RSA key
	return base64.StdEncoding.EncodeToString(der)
}

// PublicKeyPEM is the same key as a "BEGIN PUBLIC KEY" PEM block, for
// software that wants a PEM file rather than the bare line.
func PublicKeyPEM(key *rsa.PublicKey) string {
	der, _ := x509.MarshalPKIXPublicKey(key)
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// keyDER reads a key pasted as PEM (any header) or as bare base64, with
// whitespace and line breaks anywhere, and returns its DER bytes.
func keyDER(text string) ([]byte, bool) {
	text = strings.TrimSpace(text)
	if strings.Contains(text, "-----BEGIN") {
		block, _ := pem.Decode([]byte(text))
		if block == nil {
			return nil, false
		}
		return block.Bytes, true
	}
	compact := strings.Join(strings.Fields(text), "")
	der, err := base64.StdEncoding.DecodeString(compact)
	if err != nil {
		if der, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(compact, "=")); err != nil {
			return nil, false
		}
	}
	return der, len(der) > 0
}

// ParsePublicKey reads a merchant's RSA public key as 彩虹易支付 accepts
// one: bare base64 or PEM, SubjectPublicKeyInfo ("BEGIN PUBLIC KEY", what the
// SDKs and 彩虹易支付 make) or PKCS#1 ("BEGIN RSA PUBLIC KEY"). Keys shorter
// than 2048 bits and keys that are not RSA are refused, saying so.
func ParsePublicKey(text string) (*rsa.PublicKey, error) {
	if strings.TrimSpace(text) == "" {
		return nil, app.NewError(app.EINVALID, "epayPublicKey",
			"商户公钥不能为空：请粘贴商城（易支付 SDK）的商户 RSA 公钥，一行 base64 或带 -----BEGIN PUBLIC KEY----- 的 PEM 都可以。",
			"The merchant public key is empty: paste the shop's (易支付 SDK's) merchant RSA public key, as one line of base64 or as a -----BEGIN PUBLIC KEY----- PEM.")
	}
	if strings.Contains(text, "PRIVATE KEY") {
		return nil, app.NewError(app.EINVALID, "epayPublicKey",
			"这是私钥，不是公钥：私钥只留在商城里，请粘贴对应的公钥（-----BEGIN PUBLIC KEY-----）。",
			"This is a private key, not a public one: the private key stays in the shop; paste its public key (-----BEGIN PUBLIC KEY-----).")
	}
	der, ok := keyDER(text)
	if !ok {
		return nil, app.NewError(app.EINVALID, "epayPublicKey",
			"商户公钥无法读取：请原样粘贴一行 base64（MIIBIjAN… 开头）或完整的 PEM（含 -----BEGIN PUBLIC KEY----- 和 -----END PUBLIC KEY-----）。",
			"The merchant public key cannot be read: paste the one line of base64 (starting MIIBIjAN…) or the whole PEM (with -----BEGIN PUBLIC KEY----- and -----END PUBLIC KEY-----) as it is.")
	}
	var key *rsa.PublicKey
	if k, err := x509.ParsePKIXPublicKey(der); err == nil {
		rk, isRSA := k.(*rsa.PublicKey)
		if !isRSA {
			return nil, app.NewError(app.EINVALID, "epayPublicKey",
				fmt.Sprintf("商户公钥不是 RSA 密钥（是 %T）：易支付 V2 只用 RSA，请用 RSA 2048 位密钥。", k),
				fmt.Sprintf("The merchant public key is not RSA (it is %T): 易支付 V2 uses RSA only; use a 2048-bit RSA key.", k))
		}
		key = rk
	} else if k, err := x509.ParsePKCS1PublicKey(der); err == nil {
		key = k
	} else {
		return nil, app.NewError(app.EINVALID, "epayPublicKey",
			"商户公钥格式不对：需要 RSA 公钥（X.509 SubjectPublicKeyInfo 或 PKCS#1），不是证书或私钥。",
			"The merchant public key has the wrong format: an RSA public key (X.509 SubjectPublicKeyInfo or PKCS#1) is needed, not a certificate or a private key.")
	}
	if bits := key.N.BitLen(); bits < RSABits {
		return nil, app.NewError(app.EINVALID, "epayPublicKey",
			fmt.Sprintf("商户公钥只有 %d 位：太短，容易被破解。请用 2048 位（或更长）的 RSA 密钥。", bits),
			fmt.Sprintf("The merchant public key has only %d bits: too short to be safe. Use an RSA key of 2048 bits or more.", bits))
	}
	return key, nil
}

// ParsePrivateKey reads a private key written by PrivateKeyBase64 (PKCS#8),
// or a PKCS#1 one, bare or PEM.
func ParsePrivateKey(text string) (*rsa.PrivateKey, error) {
	der, ok := keyDER(text)
	if !ok {
		return nil, errors.New("epay: the private key is not base64 or PEM")
	}
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		if rk, isRSA := k.(*rsa.PrivateKey); isRSA {
			return rk, nil
		}
		return nil, errors.New("epay: the private key is not RSA")
	}
	return x509.ParsePKCS1PrivateKey(der)
}

// KeyCache keeps the private key last read from its stored text, so that
// signing an answer or a notify does not parse (and check) the key again.
// The zero value is ready; it is safe for concurrent use.
type KeyCache struct {
	mu   sync.Mutex
	text string
	key  *rsa.PrivateKey
}

// Private returns the key stored as text.
func (c *KeyCache) Private(text string) (*rsa.PrivateKey, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.key != nil && c.text == text {
		return c.key, nil
	}
	k, err := ParsePrivateKey(text)
	if err != nil {
		return nil, err
	}
	c.text, c.key = text, k
	return k, nil
}
