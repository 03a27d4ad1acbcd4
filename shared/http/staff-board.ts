import type { Context, MiddlewareHandler } from "hono";
import { logEvent } from "../log";
import type { ContextApiEnv } from "./context-api";
import { errorResponse } from "./errors";

/**
 * The HTTP side of the staff boards (shared/durable/live-board.ts): opening a live board, and keeping a
 * board told after each staff step.
 */

/** The live protocol a browser offers (with `bearer.<JWT>`, read by the gateway) and the server selects. */
export const LIVE_PROTOCOL = "pizza-live.v1";

/**
 * A live board: 426 unless the request is a WebSocket upgrade; else the board object accepts it. The
 * board gets a fresh request, so the token the browser sent among its protocols never reaches it; the
 * answer selects `pizza-live.v1` when the client offered it (a browser fails a socket whose server
 * selects a protocol it did not offer, and a non-browser client may offer none).
 */
export function openLiveBoard(
  c: Context,
  board: { fetch(request: Request): Promise<Response> },
): Promise<Response> | Response {
  if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
    c.header("Upgrade", "websocket");
    return errorResponse(c, 426, "upgrade_required", "This is a live board: open it as a WebSocket.", [
      { field: "Upgrade", reason: "expected 'websocket'" },
    ]);
  }
  const offered = (c.req.header("Sec-WebSocket-Protocol") ?? "").split(",").map((p) => p.trim());
  return board.fetch(
    new Request("https://board.internal/live", {
      headers: {
        Upgrade: "websocket",
        ...(offered.includes(LIVE_PROTOCOL) ? { "Sec-WebSocket-Protocol": LIVE_PROTOCOL } : {}),
      },
    }),
  );
}

/**
 * What a staff step answers when its board could not be told (tellBoardAfterStep), as the steps declare
 * it (their `*-api-routes.ts`).
 */
export const BOARD_UNAVAILABLE = {
  503: {
    code: "board_unavailable",
    says: "The step was recorded, but the board could not be updated: repeat the step (a repeat changes nothing else).",
  },
} as const;

/**
 * Middleware for a context's staff commands (`POST <prefix>/:orderId/<step>`): once a step was accepted
 * (202, a repeat included), the board is told the order's current state. If that fails the step stays
 * recorded in the per-order object (the truth) and the staff get a 503 asking them to repeat it: a
 * repeat is a 202 with nothing new, and tells the board again. So the board is never left behind for
 * good without anyone knowing (the screens' clients and the simulated staff retry a 503).
 */
export function tellBoardAfterStep<E>(
  context: string,
  tell: (env: E, orderId: string) => Promise<unknown>,
): MiddlewareHandler<ContextApiEnv<E>> {
  return async (c, next) => {
    await next();
    if (c.req.method !== "POST" || c.res.status !== 202) return;
    try {
      await tell(c.env, c.req.param("orderId")!);
    } catch (error) {
      logEvent({ at: `${context}-board`, outcome: "not-told", reason: String(error) });
      const { code, says } = BOARD_UNAVAILABLE[503];
      const refused = errorResponse(c, 503, code, says);
      refused.headers.set("Retry-After", "1");
      c.res = refused;
    }
  };
}
