package lambda

import (
	"bytes"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// TestSignMatchesBotocore signs the request that tests/examples/listbackup/test_sigv4.py signs
// with botocore, and compares the signatures (EXPECTED_AUTHORIZATION, set by that test).
func TestSignMatchesBotocore(t *testing.T) {
	expected := os.Getenv("EXPECTED_AUTHORIZATION")
	if expected == "" {
		t.Skip("run through tests/examples/listbackup/test_sigv4.py")
	}
	body := []byte(`{"TableName":"listbackup-dev-jobs"}`)
	req, _ := http.NewRequest(http.MethodPost, "https://dynamodb.us-west-2.amazonaws.com/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810.PutItem")
	aws := &AWS{Region: "us-west-2", accessKey: "AKIDEXAMPLE",
		secretKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", token: "session-token"}
	aws.sign(req, "dynamodb", body, time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC))
	got := req.Header.Get("Authorization")
	if strings.TrimSpace(got) != expected {
		t.Fatalf("Authorization\n got %s\nwant %s", got, expected)
	}
}
