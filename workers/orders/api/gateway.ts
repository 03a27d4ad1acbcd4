import type { Principal } from "../../../shared/auth/token";
import { contextApiService } from "../../../shared/http/context-api";
import {
  isWebSocketUpgrade,
  liveRequest,
  principalHeader,
  relayed,
  requireLiveRole,
} from "../../../shared/http/live";
import { newRoutes } from "./app";

/**
 * The edge gateway: one public origin for every context's thin API. It authenticates the bearer token
 * once and hands the request, with the verified principal and the request's trace, to the context's
 * worker over a service binding (RPC to its named entrypoint). Each context decides which roles may
 * use which of its endpoints; none of them has a public route of its own.
 *
 * A live view (GET /loyalty/me/live, the staff boards) is a WebSocket upgrade, its token in the
 * subprotocol (shared/http/live.ts). A Response carrying a WebSocket cannot come back over RPC, so an
 * upgrade goes to the same entrypoint's `fetch` instead, with the verified principal in a header.
 */
const CONTEXTS = {
  "/kitchen": "KITCHEN",
  "/delivery": "DELIVERY",
  "/collection": "COLLECTION",
  "/customers": "CUSTOMERS",
  "/loyalty": "LOYALTY",
  "/analytics": "ANALYTICS",
} as const satisfies Record<string, keyof Env>;

// As requireRole, with an upgrade's token read from its subprotocol.
const authenticated = requireLiveRole("customer", "staff", "operator", "analyst");

export const gatewayRoutes = newRoutes();
for (const [prefix, binding] of Object.entries(CONTEXTS)) {
  gatewayRoutes.all(`${prefix}/*`, authenticated, async (c) => {
    const principal: Principal = c.var.principal;
    if (isWebSocketUpgrade(c.req.raw)) {
      const request = liveRequest(c.req.raw, {
        traceparent: c.var.traceparent,
        ...principalHeader(principal),
      });
      return relayed(await c.env[binding].fetch(request));
    }
    const request = new Request(c.req.raw);
    request.headers.set("traceparent", c.var.traceparent);
    return contextApiService(c.env[binding]).handle(request, principal);
  });
}
