// Accounts, their sources, and sync jobs. Every path under an account checks that the caller
// owns it, and answers 404 otherwise: another user's account does not exist for them.
import { createHash, randomUUID } from "node:crypto";

import { dynamodb, fromItem, sqs, toItem } from "../lib/aws.mjs";
import { body, caller, notFound, respond, router } from "../lib/http.mjs";

const { ACCOUNTS_TABLE, SOURCES_TABLE, JOBS_TABLE, SYNC_QUEUE_URL } = process.env;

async function get(table, key) {
  const found = await dynamodb("GetItem", { TableName: table, Key: toItem(key), ConsistentRead: true });
  return fromItem(found.Item);
}

async function query(table, index, name, value) {
  const page = await dynamodb("Query", {
    TableName: table,
    IndexName: index,
    KeyConditionExpression: "#k = :v",
    ExpressionAttributeNames: { "#k": name },
    ExpressionAttributeValues: toItem({ ":v": value }),
  });
  return (page.Items ?? []).map(fromItem);
}

/** The account of the path, if the caller owns it. */
async function owned(event) {
  const account = await get(ACCOUNTS_TABLE, { accountId: event.pathParameters.accountId });
  return account && account.ownerUserId === caller(event).userId ? account : undefined;
}

async function startSync(event) {
  const account = await owned(event);
  const source = account && (await get(SOURCES_TABLE, { sourceId: event.pathParameters.sourceId }));
  if (!source || source.accountId !== account.accountId) return notFound();
  // An identical request (same Idempotency-Key, or same body) is the same job: SQS drops the
  // duplicate message within its 5-minute deduplication window.
  const key = event.headers?.["idempotency-key"] ?? event.body ?? "";
  const deduplicationId = createHash("sha256")
    .update(`${account.accountId}/${source.sourceId}/${key}`)
    .digest("hex");
  const job = {
    jobId: deduplicationId.slice(0, 32),
    accountId: account.accountId,
    sourceId: source.sourceId,
    userId: caller(event).userId,
    requestedAt: new Date().toISOString(),
  };
  await sqs("SendMessage", {
    QueueUrl: SYNC_QUEUE_URL,
    MessageBody: JSON.stringify(job),
    MessageGroupId: source.sourceId, // one sync at a time per source, in order
    MessageDeduplicationId: deduplicationId,
  });
  return respond(202, { jobId: job.jobId, status: "queued" });
}

export const handler = router({
  "GET /accounts": async (event) =>
    respond(200, { accounts: await query(ACCOUNTS_TABLE, "ownerUserId-index", "ownerUserId", caller(event).userId) }),
  "POST /accounts": async (event) => {
    const { name } = body(event, ["name"]);
    const account = { accountId: randomUUID(), ownerUserId: caller(event).userId, name, createdAt: new Date().toISOString() };
    await dynamodb("PutItem", { TableName: ACCOUNTS_TABLE, Item: toItem(account) });
    return respond(201, account);
  },
  "GET /accounts/{accountId}": async (event) => {
    const account = await owned(event);
    return account ? respond(200, account) : notFound();
  },
  "GET /accounts/{accountId}/sources": async (event) => {
    const account = await owned(event);
    if (!account) return notFound();
    return respond(200, { sources: await query(SOURCES_TABLE, "accountId-index", "accountId", account.accountId) });
  },
  "POST /accounts/{accountId}/sources": async (event) => {
    const account = await owned(event);
    if (!account) return notFound();
    const { name, platform } = body(event, ["name", "platform"]);
    const source = { sourceId: randomUUID(), accountId: account.accountId, name, platform, createdAt: new Date().toISOString() };
    await dynamodb("PutItem", { TableName: SOURCES_TABLE, Item: toItem(source) });
    return respond(201, source);
  },
  "POST /accounts/{accountId}/sources/{sourceId}/sync": startSync,
  "GET /accounts/{accountId}/jobs/{jobId}": async (event) => {
    const account = await owned(event);
    const job = account && (await get(JOBS_TABLE, { jobId: event.pathParameters.jobId }));
    return job && job.accountId === account.accountId ? respond(200, job) : notFound();
  },
});
