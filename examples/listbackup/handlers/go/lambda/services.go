package lambda

// The few operations of DynamoDB, EventBridge and Secrets Manager the handlers use.

// Item is a DynamoDB item of string attributes.
type Item map[string]string

// PutItem writes item to table.
func (a *AWS) PutItem(table string, item Item) error {
	attributes := map[string]map[string]string{}
	for name, value := range item {
		attributes[name] = map[string]string{"S": value}
	}
	in := map[string]any{"TableName": table, "Item": attributes}
	return a.Call("dynamodb", "dynamodb", "DynamoDB_20120810.PutItem",
		"application/x-amz-json-1.0", in, nil)
}

// Event is one EventBridge entry.
type Event struct {
	Source       string `json:"Source"`
	DetailType   string `json:"DetailType"`
	Detail       string `json:"Detail"`
	EventBusName string `json:"EventBusName"`
}

// PutEvents puts events on their buses and fails if any entry failed.
func (a *AWS) PutEvents(events ...Event) error {
	var out struct {
		FailedEntryCount int `json:"FailedEntryCount"`
	}
	err := a.Call("events", "events", "AWSEvents.PutEvents", "application/x-amz-json-1.1",
		map[string]any{"Entries": events}, &out)
	if err == nil && out.FailedEntryCount > 0 {
		err = errorf("PutEvents: %d entries failed", out.FailedEntryCount)
	}
	return err
}

// SecretString reads a secret's current value.
func (a *AWS) SecretString(secretID string) (string, error) {
	var out struct {
		SecretString string `json:"SecretString"`
	}
	err := a.Call("secretsmanager", "secretsmanager", "secretsmanager.GetSecretValue",
		"application/x-amz-json-1.1", map[string]string{"SecretId": secretID}, &out)
	return out.SecretString, err
}
