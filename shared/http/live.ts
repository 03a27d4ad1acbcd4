import type { Context } from "hono";
import type { Principal, Role } from "../auth/token";
import { authenticate, requireRoleFrom, type Authentication, type TokenSource } from "./auth";
import { errorResponse } from "./errors";

/**
 * Live views (an order's status, a customer's points, the staff boards) are WebSockets the public API
 * upgrades and hands to the Durable Object that owns the view. A browser cannot set headers on a
 * WebSocket, so the bearer token travels as a subprotocol: the client offers
 * `["pizza-live.v1", "bearer.<JWT>"]` and the server accepts `pizza-live.v1`. An `Authorization: Bearer`
 * header is accepted too, for clients that can send one.
 */
export const LIVE_PROTOCOL = "pizza-live.v1";
const BEARER_PROTOCOL_PREFIX = "bearer.";

/** Whether the request asks to become a WebSocket. */
export function isWebSocketUpgrade(request: Request): boolean {
  return request.headers.get("Upgrade")?.toLowerCase() === "websocket";
}

/** The subprotocols the client offered, in its order. */
export function offeredProtocols(request: Request): string[] {
  return (request.headers.get("Sec-WebSocket-Protocol") ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
}

/** A WebSocket upgrade's `bearer.<JWT>` subprotocol, if it offers one (plain requests use Authorization). */
const bearerProtocol = (request: Request) =>
  isWebSocketUpgrade(request)
    ? offeredProtocols(request).find((p) => p.startsWith(BEARER_PROTOCOL_PREFIX))
    : undefined;

/** The request's token: an upgrade's `bearer.<JWT>` subprotocol, else its Authorization header. */
export function authenticateLive(request: Request, secret: string): Promise<Authentication> {
  const offered = bearerProtocol(request);
  if (offered === undefined) return authenticate(request, secret);
  const token = offered.slice(BEARER_PROTOCOL_PREFIX.length);
  // The shared check, so a token is accepted or refused here exactly as in an Authorization header.
  const asHeader = new Request("https://live.invalid/", { headers: { Authorization: `Bearer ${token}` } });
  return authenticate(asHeader, secret).then((a) =>
    "principal" in a ? a : { message: a.message, reason: `${BEARER_PROTOCOL_PREFIX}<token>: ${a.reason}` },
  );
}

/** An upgrade's `bearer.<JWT>` subprotocol, else the Authorization header. */
const LIVE_TOKEN: TokenSource = {
  authenticate: authenticateLive,
  field: (request) => (bearerProtocol(request) === undefined ? "Authorization" : "Sec-WebSocket-Protocol"),
};

/**
 * requireRole (shared/http/auth.ts) that also reads an upgrade's token from its subprotocol: a valid
 * token whose role is one of `roles`, else 401 or 403. A plain request is checked exactly as
 * requireRole checks it.
 */
export const requireLiveRole = (...roles: Role[]) => requireRoleFrom(LIVE_TOKEN, ...roles);

/** 426 for a live route asked with a plain request. */
export function upgradeRequired(c: Context) {
  c.header("Upgrade", "websocket");
  return errorResponse(c, 426, "upgrade_required", "This is a live view: open it as a WebSocket.", [
    { field: "Upgrade", reason: "expected 'websocket'" },
  ]);
}

/**
 * The upgrade request to hand on (to a context's worker, then to a Durable Object): the token is taken
 * out of the subprotocols (it has been verified; nobody further needs it), `pizza-live.v1` kept if
 * offered, and `headers` (who the socket is for, as this worker verified it) set, replacing anything
 * of that name the client sent.
 */
export function liveRequest(request: Request, headers: Record<string, string>): Request {
  const forwarded = new Request(request);
  if (offeredProtocols(request).includes(LIVE_PROTOCOL))
    forwarded.headers.set("Sec-WebSocket-Protocol", LIVE_PROTOCOL);
  else forwarded.headers.delete("Sec-WebSocket-Protocol");
  for (const [name, value] of Object.entries(headers)) forwarded.headers.set(name, value);
  return forwarded;
}

/**
 * The principal the gateway verified, on a live request it hands to a context's worker (a WebSocket
 * cannot come back over RPC, so those go to the context's entrypoint `fetch`, which only service
 * bindings reach: shared/http/context-api.ts).
 */
export const PRINCIPAL_HEADER = "X-Pizza-Principal";
export const principalHeader = (principal: Principal) => ({
  [PRINCIPAL_HEADER]: JSON.stringify({ id: principal.id, role: principal.role }),
});

/**
 * A live view's answer as this worker passes it on: a Response that came through a fetch has headers
 * nobody may change, and the API adds its own (traceparent) to every answer; the socket goes along.
 */
export function relayed(response: Response): Response {
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
    webSocket: response.webSocket,
  });
}
