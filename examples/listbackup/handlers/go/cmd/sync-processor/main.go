// The sync processor consumes the FIFO sync queue: for each job it writes the backup object to
// the data bucket and the job record to the jobs table, then puts a "Job Completed" event on the
// bus. A message that fails is reported alone (partial batch response) and comes back later.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"time"

	"listbackup/handlers/lambda"
)

type sqsEvent struct {
	Records []struct {
		MessageID string `json:"messageId"`
		Body      string `json:"body"`
	} `json:"Records"`
}

type job struct {
	JobID       string `json:"jobId"`
	AccountID   string `json:"accountId"`
	SourceID    string `json:"sourceId"`
	UserID      string `json:"userId"`
	RequestedAt string `json:"requestedAt"`
}

type failure struct {
	ItemIdentifier string `json:"itemIdentifier"`
}

var (
	aws          = lambda.FromEnvironment()
	platformKeys sync.Once
)

func main() {
	lambda.Start(handle)
}

func handle(_ context.Context, raw json.RawMessage) (any, error) {
	var event sqsEvent
	if err := json.Unmarshal(raw, &event); err != nil {
		return nil, err
	}
	platformKeys.Do(readPlatformKeys)
	failures := []failure{}
	for _, record := range event.Records {
		var j job
		err := json.Unmarshal([]byte(record.Body), &j)
		if err == nil {
			err = process(j)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, `{"level":"ERROR","messageId":%q,"error":%q}`+"\n", record.MessageID, err)
			failures = append(failures, failure{record.MessageID})
		}
	}
	return map[string]any{"batchItemFailures": failures}, nil
}

func process(j job) error {
	if j.JobID == "" || j.AccountID == "" || j.SourceID == "" {
		return fmt.Errorf("job without jobId, accountId or sourceId")
	}
	completed := time.Now().UTC().Format(time.RFC3339)
	key := fmt.Sprintf("backups/%s/%s/%s.json", j.AccountID, j.SourceID, j.JobID)
	backup, _ := json.Marshal(map[string]any{
		"jobId": j.JobID, "accountId": j.AccountID, "sourceId": j.SourceID,
		"completedAt": completed, "items": []string{},
	})
	if err := aws.PutObject(os.Getenv("DATA_BUCKET"), key, "application/json", backup); err != nil {
		return err
	}
	record := lambda.Item{
		"jobId": j.JobID, "accountId": j.AccountID, "sourceId": j.SourceID, "userId": j.UserID,
		"status": "completed", "objectKey": key, "createdAt": j.RequestedAt, "completedAt": completed,
	}
	if err := aws.PutItem(os.Getenv("JOBS_TABLE"), record); err != nil {
		return err
	}
	detail, _ := json.Marshal(map[string]string{
		"jobId": j.JobID, "accountId": j.AccountID, "sourceId": j.SourceID, "objectKey": key,
	})
	err := aws.PutEvents(lambda.Event{
		Source: "listbackup.sync", DetailType: "Job Completed", Detail: string(detail),
		EventBusName: os.Getenv("EVENT_BUS_NAME"),
	})
	if err == nil {
		metric(os.Getenv("METRICS_NAMESPACE"), "JobsCompleted")
	}
	return err
}

// readPlatformKeys loads the platforms' API keys once per execution environment.
func readPlatformKeys() {
	if arn := os.Getenv("API_KEYS_SECRET_ARN"); arn != "" {
		if _, err := aws.SecretString(arn); err != nil {
			fmt.Fprintf(os.Stderr, `{"level":"WARN","error":%q}`+"\n", err)
		}
	}
}

// metric writes one count in CloudWatch's embedded metric format: Lambda's log agent turns the
// line into a metric of namespace (the dashboard's application panel).
func metric(namespace, name string) {
	if namespace == "" {
		return
	}
	line, _ := json.Marshal(map[string]any{
		"_aws": map[string]any{
			"Timestamp": time.Now().UnixMilli(),
			"CloudWatchMetrics": []any{map[string]any{
				"Namespace": namespace, "Dimensions": [][]string{{}},
				"Metrics": []any{map[string]string{"Name": name, "Unit": "Count"}},
			}},
		},
		name: 1,
	})
	fmt.Println(string(line))
}
