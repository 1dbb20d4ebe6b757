// Package lambda is what the Go handlers of ListBackup need from AWS, with the standard library
// only: the Lambda Runtime API loop (runtime.go) and SigV4-signed calls to AWS services
// (aws.go), which honour AWS_ENDPOINT_URL so that the local cloud can stand in for AWS.
package lambda

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"time"
)

// Handler answers one invocation's event.
type Handler func(ctx context.Context, event json.RawMessage) (any, error)

const runtimeAPIVersion = "2018-06-01"

// Start runs the Runtime API loop of a provided.al2023 function: get the next event, run the
// handler, post its response or its error, forever.
func Start(handler Handler) {
	api := os.Getenv("AWS_LAMBDA_RUNTIME_API")
	if api == "" {
		fmt.Fprintln(os.Stderr, "AWS_LAMBDA_RUNTIME_API is not set: run me as a Lambda function")
		os.Exit(1)
	}
	base := fmt.Sprintf("http://%s/%s/runtime", api, runtimeAPIVersion)
	client := &http.Client{} // no timeout: /next waits for the next event
	for {
		if err := serveOne(client, base, handler); err != nil {
			fmt.Fprintln(os.Stderr, "runtime API:", err)
			os.Exit(1)
		}
	}
}

func serveOne(client *http.Client, base string, handler Handler) error {
	resp, err := client.Get(base + "/invocation/next")
	if err != nil {
		return err
	}
	event, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")
	ctx := context.Background()
	if ms, err := strconv.ParseInt(resp.Header.Get("Lambda-Runtime-Deadline-Ms"), 10, 64); err == nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, time.UnixMilli(ms))
		defer cancel()
	}
	result, handlerErr := invoke(ctx, handler, event)
	if handlerErr != nil {
		body, _ := json.Marshal(map[string]string{
			"errorMessage": handlerErr.Error(), "errorType": "HandlerError",
		})
		return post(client, fmt.Sprintf("%s/invocation/%s/error", base, id), body)
	}
	body, err := json.Marshal(result)
	if err != nil {
		return err
	}
	return post(client, fmt.Sprintf("%s/invocation/%s/response", base, id), body)
}

func invoke(ctx context.Context, handler Handler, event []byte) (result any, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return handler(ctx, event)
}

func post(client *http.Client, url string, body []byte) error {
	resp, err := client.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("POST %s: %s", url, resp.Status)
	}
	return nil
}

func errorf(format string, args ...any) error {
	return fmt.Errorf(format, args...)
}
