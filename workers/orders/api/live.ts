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
import { newRoutes } from "./app";

/**
 * GET /orders/{orderId}/live: the order's status, pushed. A WebSocket (its token in the subprotocol,
 * shared/http/live.ts) that the Order object accepts with the Hibernation API: it sends
 * `{ type: "order", order }` at once and after every change of the read model, so a customer watches
 * the order without polling. Mounted before the orders routes, whose Authorization-only check a browser's
 * WebSocket could never pass.
 */
export const liveOrderRoutes = newRoutes().get("/:orderId/live", requireLiveRole("customer"), async (c) => {
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
});
