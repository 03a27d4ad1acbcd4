import { LIVE_PROTOCOL, offeredProtocols } from "../http/live";

/**
 * A Durable Object's side of a live view (shared/http/live.ts): the object that owns the view accepts
 * the WebSocket with the Hibernation API, so an idle socket keeps nothing in memory and costs nothing
 * (the runtime holds the connection; tags find the sockets again after the object was evicted), sends
 * the view at once, and again to every socket after each change.
 */

/**
 * Who the socket is for, as the worker that verified the token says: an object trusts it because only
 * its own worker can reach it.
 */
export const LIVE_FOR_HEADER = "X-Pizza-Live-For";

/** "ping" answers "pong" without waking the object: clients keep idle sockets open through proxies. */
export function answerPingsWhileHibernating(ctx: DurableObjectState): void {
  ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
}

/**
 * Accepts the upgrade as a hibernatable WebSocket tagged `tags`, sends `first` on it, and answers
 * 101 with `pizza-live.v1` when the client offered it.
 */
export function acceptLiveSocket(
  ctx: DurableObjectState,
  request: Request,
  tags: string[],
  first: unknown,
): Response {
  const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
  ctx.acceptWebSocket(server, tags);
  server.send(JSON.stringify(first));
  const headers = offeredProtocols(request).includes(LIVE_PROTOCOL)
    ? { "Sec-WebSocket-Protocol": LIVE_PROTOCOL }
    : undefined;
  return new Response(null, { status: 101, webSocket: client, headers });
}

/** Whether any live socket (tagged `tag`) is open: no need to build a view nobody watches. */
export const watched = (ctx: DurableObjectState, tag?: string) => ctx.getWebSockets(tag).length > 0;

/** Sends `message` to every live socket (tagged `tag`); one that is closing is skipped. */
export function broadcast(ctx: DurableObjectState, message: unknown, tag?: string): void {
  const text = JSON.stringify(message);
  for (const ws of ctx.getWebSockets(tag)) {
    try {
      ws.send(text);
    } catch {
      // Closed under us: its webSocketClose will tidy up.
    }
  }
}

/**
 * webSocketClose / webSocketError: finish the close. (Since the 2026-04-07 compatibility date the
 * runtime answers a Close frame itself and this is a no-op; a code the peer may not send back, such as
 * 1005 "no status", becomes a plain 1000.)
 */
export function closeLiveSocket(ws: WebSocket, code = 1000, reason = ""): void {
  try {
    ws.close(code >= 3000 || code === 1000 || (code > 1000 && code < 1004) ? code : 1000, reason);
  } catch {
    // Already closed.
  }
}
