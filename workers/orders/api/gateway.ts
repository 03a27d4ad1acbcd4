import type { Principal } from "../../../shared/auth/token";
import { requireRole } from "../../../shared/http/auth";
import { contextApiService } from "../../../shared/http/context-api";
import { newRoutes } from "./app";

/**
 * The edge gateway: one public origin for every context's thin API. It authenticates the bearer token
 * once and hands the request, with the verified principal and the request's trace, to the context's
 * worker over a service binding (RPC to its named entrypoint). Each context decides which roles may
 * use which of its endpoints; none of them has a public route of its own.
 */
const CONTEXTS = {
  "/kitchen": "KITCHEN",
  "/delivery": "DELIVERY",
  "/collection": "COLLECTION",
  "/customers": "CUSTOMERS",
  "/loyalty": "LOYALTY",
  "/analytics": "ANALYTICS",
} as const satisfies Record<string, keyof Env>;

const authenticated = requireRole("customer", "staff", "operator", "analyst");

export const gatewayRoutes = newRoutes();
for (const [prefix, binding] of Object.entries(CONTEXTS)) {
  gatewayRoutes.all(`${prefix}/*`, authenticated, async (c) => {
    const request = new Request(c.req.raw);
    request.headers.set("traceparent", c.var.traceparent);
    const principal: Principal = c.var.principal;
    return contextApiService(c.env[binding]).handle(request, principal);
  });
}
