import { SHOP } from "../../durable-objects/delivery/delivery-board";
import { allowRoles, contextApi } from "../../shared/http/context-api";
import { routesOf } from "../../shared/http/openapi";
import { openLiveBoard, tellBoardAfterStep } from "../../shared/http/staff-board";
import { getDeliveryBoard, liveDeliveryBoard } from "./drivers-api-routes";

/**
 * The drivers' board for the driver screen (staff role): `GET /delivery/orders` (deliveries not yet
 * delivered) and `GET /delivery/orders/live` (a WebSocket: `{ type: "board", board }` on connect and after
 * every change). Mounted in the drivers' API before its `/delivery/orders/:orderId` routes, so "live" is
 * never read as an order id, and so the step middleware below wraps the drivers' commands.
 *
 * The Delivery stays the truth; after each change the board is told its whole current state, versioned
 * by its step (DeliveryBoard ignores anything older). If telling fails: an event's handler throws and
 * the harness retries it (the delivery answers "duplicate" and the board is told again); a driver's step
 * answers 503 and the driver repeats it (a 202 with nothing new, telling the board again). The
 * retries already exist, so no pending flag or alarm in each delivery (workers/kitchen/board-api.ts).
 */
const deliveryBoard = (env: Env) => env.DELIVERY_BOARD.getByName(SHOP);

/** Tells the drivers' board the delivery's current state; throws if the board could not be told. */
export async function showOnDeliveryBoard(env: Env, orderId: string): Promise<void> {
  const change = await env.DELIVERIES.getByName(orderId).boardChange();
  if (change) await deliveryBoard(env).update(change);
}

/** An event applied by the order's delivery, then the board told (after a duplicate too: that is the repair). */
export async function withEachEventOnBoard<T>(env: Env, orderId: string, applied: Promise<T>): Promise<T> {
  const outcome = await applied;
  await showOnDeliveryBoard(env, orderId);
  return outcome;
}

// Declared in drivers-api-routes.ts, so the public origin's document shows them as they are served.
export const deliveryBoardApi = routesOf(contextApi<Env>("delivery"))
  .use("/delivery/orders", allowRoles("staff"))
  .use("/delivery/orders/live", allowRoles("staff"))
  .serve(getDeliveryBoard, async (c) => c.json(await deliveryBoard(c.env).board()))
  .serve(liveDeliveryBoard, (c) => openLiveBoard(c, deliveryBoard(c.env)))
  .use("/delivery/orders/:orderId/*", tellBoardAfterStep("delivery", showOnDeliveryBoard)).app;
