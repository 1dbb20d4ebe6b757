// HTTP API (payload 2.0) helpers: JSON answers, the caller from the JWT authorizer, bodies.
export const respond = (statusCode, body, headers = {}) => ({
  statusCode,
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
});

export const notFound = () => respond(404, { message: "Not found" });

export class BadRequest extends Error {}

/** The verified claims of the caller's token (HTTP API JWT authorizer). */
export function caller(event) {
  const claims = event.requestContext?.authorizer?.jwt?.claims ?? {};
  const groups = claims["cognito:groups"] ?? [];
  return {
    userId: claims.sub,
    email: claims.email,
    groups: Array.isArray(groups) ? groups : String(groups).replace(/^\[|\]$/g, "").split(/[ ,]+/).filter(Boolean),
  };
}

/** The JSON body, with the string fields named in `required`; HTTP APIs validate nothing. */
export function body(event, required = []) {
  let parsed;
  try {
    const raw = event.isBase64Encoded ? Buffer.from(event.body ?? "", "base64").toString() : event.body;
    parsed = JSON.parse(raw || "{}");
  } catch {
    throw new BadRequest("the body must be JSON");
  }
  for (const field of required) {
    if (typeof parsed[field] !== "string" || !parsed[field].trim() || parsed[field].length > 256) {
      throw new BadRequest(`${field} is required: a string of 1-256 characters`);
    }
  }
  return parsed;
}

/** Run a route table: {"POST /auth/login": handler}, keyed by the HTTP API route key. */
export function router(routes) {
  return async (event) => {
    const route = routes[event.routeKey];
    if (!route) return notFound();
    try {
      return await route(event);
    } catch (error) {
      if (error instanceof BadRequest) return respond(400, { message: error.message });
      console.error(JSON.stringify({ level: "ERROR", route: event.routeKey, error: String(error) }));
      return respond(500, { message: "Internal server error" });
    }
  };
}
