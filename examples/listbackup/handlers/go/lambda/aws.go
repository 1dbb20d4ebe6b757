package lambda

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"
)

// AWS calls AWS services with the function's credentials, signed with Signature Version 4.
type AWS struct {
	Region, accessKey, secretKey, token string
	http                                *http.Client
}

// FromEnvironment reads the credentials and region Lambda gives every function.
func FromEnvironment() *AWS {
	return &AWS{
		Region:    os.Getenv("AWS_REGION"),
		accessKey: os.Getenv("AWS_ACCESS_KEY_ID"),
		secretKey: os.Getenv("AWS_SECRET_ACCESS_KEY"),
		token:     os.Getenv("AWS_SESSION_TOKEN"),
		http:      &http.Client{Timeout: 20 * time.Second},
	}
}

// endpoint is the service's URL: AWS_ENDPOINT_URL_<SERVICE>, else AWS_ENDPOINT_URL (the local
// cloud), else the public regional endpoint.
func (a *AWS) endpoint(service string) (string, bool) {
	key := "AWS_ENDPOINT_URL_" + strings.ToUpper(strings.ReplaceAll(service, "-", "_"))
	for _, name := range []string{key, "AWS_ENDPOINT_URL"} {
		if value := os.Getenv(name); value != "" {
			return strings.TrimRight(value, "/"), true
		}
	}
	return fmt.Sprintf("https://%s.%s.amazonaws.com", service, a.Region), false
}

// Call makes one JSON-protocol request (DynamoDB, EventBridge, Secrets Manager...):
// target is the X-Amz-Target header, such as "DynamoDB_20120810.PutItem".
func (a *AWS) Call(service, signingName, target, contentType string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	base, _ := a.endpoint(service)
	headers := map[string]string{"Content-Type": contentType, "X-Amz-Target": target}
	data, err := a.do(signingName, http.MethodPost, base+"/", headers, body)
	if err != nil {
		return fmt.Errorf("%s: %w", target, err)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(data, out)
}

// PutObject stores body at bucket/key (path-style against an endpoint override).
func (a *AWS) PutObject(bucket, key, contentType string, body []byte) error {
	base, override := a.endpoint("s3")
	target := fmt.Sprintf("https://%s.s3.%s.amazonaws.com/%s", bucket, a.Region, escapePath(key))
	if override {
		target = fmt.Sprintf("%s/%s/%s", base, bucket, escapePath(key))
	}
	_, err := a.do("s3", http.MethodPut, target, map[string]string{"Content-Type": contentType}, body)
	return err
}

func (a *AWS) do(service, method, target string, headers map[string]string, body []byte) ([]byte, error) {
	req, err := http.NewRequest(method, target, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	a.sign(req, service, body, time.Now().UTC())
	resp, err := a.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 300 {
		return nil, fmt.Errorf("%s %s: %s: %s", method, req.URL.Path, resp.Status, data)
	}
	return data, nil
}

// sign adds the SigV4 headers: X-Amz-Date, X-Amz-Content-Sha256, the session token and
// Authorization, over the host, every X-Amz-* header and the content type.
func (a *AWS) sign(req *http.Request, service string, body []byte, now time.Time) {
	payload := hashHex(body)
	stamp, day := now.Format("20060102T150405Z"), now.Format("20060102")
	req.Header.Set("X-Amz-Date", stamp)
	req.Header.Set("X-Amz-Content-Sha256", payload)
	if a.token != "" {
		req.Header.Set("X-Amz-Security-Token", a.token)
	}
	names := []string{"host"}
	values := map[string]string{"host": req.URL.Host}
	for name := range req.Header {
		lower := strings.ToLower(name)
		if strings.HasPrefix(lower, "x-amz-") || lower == "content-type" {
			names = append(names, lower)
			values[lower] = strings.TrimSpace(req.Header.Get(name))
		}
	}
	sort.Strings(names)
	var canonicalHeaders strings.Builder
	for _, name := range names {
		canonicalHeaders.WriteString(name + ":" + values[name] + "\n")
	}
	signed := strings.Join(names, ";")
	path := req.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	canonical := strings.Join([]string{
		req.Method, path, canonicalQuery(req.URL.Query()), canonicalHeaders.String(), signed, payload,
	}, "\n")
	scope := fmt.Sprintf("%s/%s/%s/aws4_request", day, a.Region, service)
	toSign := strings.Join([]string{"AWS4-HMAC-SHA256", stamp, scope, hashHex([]byte(canonical))}, "\n")
	key := hmacSHA256([]byte("AWS4"+a.secretKey), day)
	for _, part := range []string{a.Region, service, "aws4_request"} {
		key = hmacSHA256(key, part)
	}
	req.Header.Set("Authorization", fmt.Sprintf(
		"AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s",
		a.accessKey, scope, signed, hex.EncodeToString(hmacSHA256(key, toSign)),
	))
}

func canonicalQuery(values url.Values) string {
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := []string{}
	for _, k := range keys {
		for _, v := range values[k] {
			parts = append(parts, escape(k)+"="+escape(v))
		}
	}
	return strings.Join(parts, "&")
}

func escape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

func escapePath(key string) string {
	parts := strings.Split(key, "/")
	for i, part := range parts {
		parts[i] = escape(part)
	}
	return strings.Join(parts, "/")
}

func hashHex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func hmacSHA256(key []byte, data string) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(data))
	return mac.Sum(nil)
}
