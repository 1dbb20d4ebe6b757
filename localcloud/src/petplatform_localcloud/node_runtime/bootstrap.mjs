// A small Lambda runtime interface client for Node.js functions on the local cloud.
//
// Speaks the Lambda Runtime API (2018-06-01) at AWS_LAMBDA_RUNTIME_API, as Lambda's own client
// does: loads the handler named by _HANDLER ("path/to/file.export") from LAMBDA_TASK_ROOT
// (.js, .mjs or .cjs; ES modules and CommonJS), then loops: GET /invocation/next, call
// handler(event, context) (async, promise or callback style), POST /response or /error.
// A handler that cannot be loaded is reported with POST /init/error.
import http from "node:http";
import { existsSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(":");
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const BASE = "/2018-06-01/runtime";

function request(method, route, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(body);
    const req = http.request(
      {
        host, port, method, agent, path: BASE + route,
        headers: { ...headers, ...(data ? { "Content-Length": data.length } : {}) },
      },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    if (data) req.write(data);
    req.end();
  });
}

function errorPayload(error) {
  const err = error instanceof Error ? error : new Error(String(error));
  return {
    errorType: err.name || "Error",
    errorMessage: err.message,
    trace: String(err.stack || "").split("\n"),
  };
}

async function postError(route, error) {
  const payload = errorPayload(error);
  await request("POST", route, JSON.stringify(payload), {
    "Content-Type": "application/json",
    "Lambda-Runtime-Function-Error-Type": payload.errorType,
  });
}

async function loadHandler() {
  const spec = process.env._HANDLER || "index.handler";
  const root = process.env.LAMBDA_TASK_ROOT || process.cwd();
  const dot = spec.lastIndexOf(".");
  const modulePath = spec.slice(0, dot);
  const exportName = spec.slice(dot + 1);
  const file = [".js", ".mjs", ".cjs"]
    .map((ext) => path.resolve(root, modulePath + ext))
    .find((candidate) => existsSync(candidate));
  if (!file) {
    const err = new Error(`Cannot find module '${modulePath}' in ${root}`);
    err.name = "Runtime.ImportModuleError";
    throw err;
  }
  const mod = await import(pathToFileURL(file).href);
  const handler = mod[exportName] ?? mod.default?.[exportName];
  if (typeof handler !== "function") {
    const err = new Error(`${spec} is undefined or not exported`);
    err.name = "Runtime.HandlerNotFound";
    throw err;
  }
  return handler;
}

function invoke(handler, event, context) {
  return new Promise((resolve, reject) => {
    const callback = (err, value) => (err ? reject(err) : resolve(value));
    context.done = callback;
    context.succeed = (value) => resolve(value);
    context.fail = (err) => reject(err);
    try {
      const result = handler(event, context, callback);
      if (result && typeof result.then === "function") {
        result.then(resolve, reject);
      } else if (handler.length < 3) {
        resolve(result);
      }
    } catch (err) {
      reject(err);
    }
  });
}

let handler;
try {
  handler = await loadHandler();
} catch (err) {
  await postError("/init/error", err);
  process.exit(1);
}

for (;;) {
  const next = await request("GET", "/invocation/next");
  if (next.status !== 200) {
    process.exit(1);
  }
  const requestId = next.headers["lambda-runtime-aws-request-id"];
  const deadline = Number(next.headers["lambda-runtime-deadline-ms"]);
  if (next.headers["lambda-runtime-trace-id"]) {
    process.env._X_AMZN_TRACE_ID = next.headers["lambda-runtime-trace-id"];
  }
  const context = {
    awsRequestId: requestId,
    invokedFunctionArn: next.headers["lambda-runtime-invoked-function-arn"],
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  try {
    const result = await invoke(handler, JSON.parse(next.body), context);
    await request("POST", `/invocation/${requestId}/response`, JSON.stringify(result ?? null), {
      "Content-Type": "application/json",
    });
  } catch (err) {
    console.error(`ERROR\t${requestId}\t${err && err.stack ? err.stack : err}`);
    await postError(`/invocation/${requestId}/error`, err);
  }
}
