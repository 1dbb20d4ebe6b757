// The gateway's own routes: health (uncached) and public status (cached by CloudFront).
import { respond, router } from "../lib/http.mjs";

export const handler = router({
  "GET /health": async () => respond(200, { status: "ok" }),
  "GET /public/status": async () =>
    respond(200, { status: "ok", service: "listbackup" }, { "cache-control": "public, max-age=60" }),
});
