import type { Context } from "hono";
import { errorResponse } from "./errors";

/** Reads a JSON request body, or answers 415 / 400 with the reason. */
export async function readJsonBody(
  c: Context,
): Promise<{ ok: true; body: unknown } | { ok: false; response: Response }> {
  const type = c.req.header("Content-Type") ?? "";
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
    return {
      ok: false,
      response: errorResponse(c, 415, "unsupported_media_type", "Send the body as JSON.", [
        { field: "Content-Type", reason: "must be application/json" },
      ]),
    };
  }
  try {
    return { ok: true, body: await c.req.json() };
  } catch {
    return {
      ok: false,
      response: errorResponse(c, 400, "invalid_json", "The body is not valid JSON.", [
        { field: "body", reason: "not valid JSON" },
      ]),
    };
  }
}
