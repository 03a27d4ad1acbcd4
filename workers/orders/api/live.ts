import { z } from "@hono/zod-openapi";
import { LIVE_FOR_HEADER } from "../../../shared/durable/live-sockets";
import { OrderId } from "../../../shared/events/catalog/ids";
import { errorResponse } from "../../../shared/http/errors";
import {
  isWebSocketUpgrade,
  liveRequest,
  relayed,
  requireLiveRole,
  upgradeRequired,
} from "../../../shared/http/live";
import { OrderIdParams, routesOf, webSocketRoute } from "../../../shared/http/openapi";
import { newRoutes } from "./app";
import { OrderView } from "./orders";

/** Each message of GET /orders/{orderId}/live. */
export const OrderMessage = z.object({ type: z.literal("order"), order: OrderView });

const liveOrder = webSocketRoute(
  {
    path: "/{orderId}/live",
    tags: ["Orders"],
    summary: "The order's status, live",
    request: { params: OrderIdParams },
    messages: OrderMessage,
    messagesSay:
      '`{ type: "order", order }` (the body of GET /orders/{orderId}) on connect and after every change of the order.',
  },
  { roles: ["customer"] },
  { 404: "No such order for this customer (another customer's order is not theirs to learn of)." },
);

/**
 * GET /orders/{orderId}/live: the order's status, pushed. A WebSocket (its token in the subprotocol,
 * shared/http/live.ts) that the Order object accepts with the Hibernation API: it sends
 * `{ type: "order", order }` at once and after every change of the read model, so a customer watches
 * the order without polling. Mounted before the orders routes, whose Authorization-only check a browser's
 * WebSocket could never pass.
 */
export const liveOrderRoutes = routesOf(newRoutes())
  .use("/:orderId/live", requireLiveRole("customer"))
  .serve(liveOrder, async (c) => {
    if (!isWebSocketUpgrade(c.req.raw)) return upgradeRequired(c);
    const orderId = c.req.param("orderId");
    if (OrderId.safeParse(orderId).success) {
      // The object checks the order is this customer's (it alone knows): anything but 101 is "not found".
      const request = liveRequest(c.req.raw, { [LIVE_FOR_HEADER]: c.var.principal.id });
      const response = await c.env.ORDERS.getByName(orderId).fetch(request);
      if (response.status === 101) return relayed(response);
    }
    // Another customer's order is "not found" too, as for GET /orders/{orderId}.
    return errorResponse(c, 404, "not_found", `No order ${orderId} for this customer.`);
  }).app;
