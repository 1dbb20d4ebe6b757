// AWS calls with the function's credentials, signed with Signature Version 4, using only
// Node's built-in fetch and crypto. AWS_ENDPOINT_URL (the local cloud) replaces the endpoints.
import { createHash, createHmac } from "node:crypto";

const hash = (data) => createHash("sha256").update(data).digest("hex");
const hmac = (key, data) => createHmac("sha256", key).update(data).digest();

function endpoint(service) {
  const override =
    process.env[`AWS_ENDPOINT_URL_${service.toUpperCase().replaceAll("-", "_")}`] ||
    process.env.AWS_ENDPOINT_URL;
  return override
    ? override.replace(/\/$/, "")
    : `https://${service}.${process.env.AWS_REGION}.amazonaws.com`;
}

/**
 * The headers of a SigV4-signed request (lower-case names, host included): X-Amz-Date,
 * X-Amz-Content-Sha256, the session token and Authorization, over the host, the given headers
 * and those. `now` is an ISO date; credentials default to the function's.
 */
export function sign(method, url, headers, body, signingName, now = new Date(), credentials = process.env) {
  const region = credentials.AWS_REGION;
  const stamp = now.toISOString().replace(/[:-]|\.\d{3}/g, "");
  const day = stamp.slice(0, 8);
  const payload = hash(body);
  const all = { ...headers, host: url.host, "x-amz-date": stamp, "x-amz-content-sha256": payload };
  if (credentials.AWS_SESSION_TOKEN) all["x-amz-security-token"] = credentials.AWS_SESSION_TOKEN;
  const lower = Object.fromEntries(Object.entries(all).map(([k, v]) => [k.toLowerCase(), String(v).trim()]));
  const names = Object.keys(lower).sort();
  const signed = names.join(";");
  const canonical = [
    method,
    url.pathname,
    [...url.searchParams].sort().map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&"),
    names.map((n) => `${n}:${lower[n]}\n`).join(""),
    signed,
    payload,
  ].join("\n");
  const scope = `${day}/${region}/${signingName}/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", stamp, scope, hash(canonical)].join("\n");
  let key = hmac(`AWS4${credentials.AWS_SECRET_ACCESS_KEY}`, day);
  for (const part of [region, signingName, "aws4_request"]) key = hmac(key, part);
  const signature = createHmac("sha256", key).update(toSign).digest("hex");
  lower.authorization =
    `AWS4-HMAC-SHA256 Credential=${credentials.AWS_ACCESS_KEY_ID}/${scope}, ` +
    `SignedHeaders=${signed}, Signature=${signature}`;
  return lower;
}

/** Sign and send one request; returns the parsed JSON answer or throws an AwsError. */
export async function request(service, signingName, { method = "POST", path = "/", headers = {}, body = "" }) {
  const url = new URL(endpoint(service) + path);
  const signed = sign(method, url, headers, body, signingName);
  delete signed.host; // fetch sets it
  const response = await fetch(url, { method, headers: signed, body: method === "GET" ? undefined : body });
  const text = await response.text();
  const data = text ? JSON.parse(text) : {};
  if (!response.ok) throw new AwsError(response.status, data);
  return data;
}

export class AwsError extends Error {
  constructor(status, data) {
    const type = String(data.__type || data.code || "Error").split("#").pop();
    super(`${type}: ${data.message || data.Message || ""}`);
    this.status = status;
    this.type = type;
  }
}

/** One JSON-protocol operation, e.g. json("dynamodb", "DynamoDB_20120810.PutItem", {...}). */
export function json(service, target, input, { version = "1.1", signingName = service } = {}) {
  return request(service, signingName, {
    headers: { "content-type": `application/x-amz-json-${version}`, "x-amz-target": target },
    body: JSON.stringify(input),
  });
}

export const dynamodb = (operation, input) =>
  json("dynamodb", `DynamoDB_20120810.${operation}`, input, { version: "1.0" });

export const cognito = (operation, input) =>
  json("cognito-idp", `AWSCognitoIdentityProviderService.${operation}`, input);

export const sqs = (operation, input) => json("sqs", `AmazonSQS.${operation}`, input, { version: "1.0" });

/** {name: "x"} <-> {name: {S: "x"}}, for string attributes. */
export const toItem = (object) =>
  Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined).map(([k, v]) => [k, { S: String(v) }]));
export const fromItem = (item) => item && Object.fromEntries(Object.entries(item).map(([k, v]) => [k, v.S ?? v.N]));
