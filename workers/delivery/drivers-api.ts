import type { Context } from "hono";
import { allowRoles, contextApi, type ContextApiEnv } from "../../shared/http/context-api";
import { errorResponse } from "../../shared/http/errors";
import { serve } from "../../shared/http/openapi";
import { commandResponse } from "../../shared/http/staff-command";
import { OrderId } from "../../shared/events/catalog/ids";
import { deliveryBoardApi } from "./board-api";
import { assignDriver, collectedByDriver, delivered, getDelivery } from "./drivers-api-routes";

/** The drivers' thin API (staff role): see a delivery with its address, and move it on. */

/** The order's delivery, or undefined for an id that cannot be an order (a 404, like an unknown one). */
function delivery(c: Context<ContextApiEnv<Env>>) {
  const orderId = c.req.param("orderId");
  if (!orderId || !OrderId.safeParse(orderId).success) return undefined;
  return c.env.DELIVERIES.getByName(orderId);
}

const noDelivery = (c: Context) => errorResponse(c, 404, "not_found", "No delivery for this order.");

export const deliveryApi = contextApi<Env>("delivery");
deliveryApi.use("/delivery/*", allowRoles("staff"));
// The board, before the :orderId routes (board-api.ts).
deliveryApi.route("/", deliveryBoardApi);
serve(deliveryApi, getDelivery, async (c) => {
  const found = await delivery(c)?.delivery();
  return found ? c.json(found) : noDelivery(c);
});
// The body (AssignDriver) is read and validated by the route's declaration before this runs.
serve(deliveryApi, assignDriver, async (c) => {
  const stub = delivery(c);
  if (!stub) return noDelivery(c);
  return commandResponse(c, await stub.assignDriver(c.req.valid("json").driverId));
});
serve(deliveryApi, collectedByDriver, async (c) => {
  const stub = delivery(c);
  return stub ? commandResponse(c, await stub.collectedByDriver()) : noDelivery(c);
});
serve(deliveryApi, delivered, async (c) => {
  const stub = delivery(c);
  return stub ? commandResponse(c, await stub.delivered()) : noDelivery(c);
});
