import { KITCHEN } from "../../durable-objects/kitchen/kitchen-board";
import { allowRoles, contextApi } from "../../shared/http/context-api";
import { routesOf } from "../../shared/http/openapi";
import { openLiveBoard, tellBoardAfterStep } from "../../shared/http/staff-board";
import { getKitchenBoard, liveKitchenBoard } from "./staff-api-routes";

/**
 * The kitchen's board for the cooks' screen (staff role): `GET /kitchen/tickets` (the open tickets) and
 * `GET /kitchen/tickets/live` (a WebSocket: `{ type: "board", board }` on connect and after every change).
 * Mounted in the staff API before its `/kitchen/tickets/:orderId` routes, so "live" is never read as an
 * order id, and so the step middleware below wraps the staff commands.
 *
 * How the board keeps up without new coupling: the KitchenTicket stays the truth, and after each change
 * it made the board is told the ticket's whole current state, versioned by its step (KitchenBoard
 * ignores anything older than it holds). If telling fails, nothing is lost for good:
 *  - an event: the handler throws, the harness retries, the ticket answers "duplicate" and the board is
 *    told again (withEachEventOnBoard);
 *  - a staff step: the staff get a 503 and repeat the step, which is a 202 with nothing new and tells
 *    the board again (tellBoardAfterStep).
 * Chosen over a pending flag and an alarm in each ticket: the retries already exist (the harness's
 * schedule, staff and the simulated staff repeating a step), and the tickets' storage stays as it is.
 */
const kitchenBoard = (env: Env) => env.KITCHEN_BOARD.getByName(KITCHEN);

/** Tells the kitchen's board the ticket's current state; throws if the board could not be told. */
export async function showOnKitchenBoard(env: Env, orderId: string): Promise<void> {
  const change = await env.KITCHEN_TICKETS.getByName(orderId).boardChange();
  if (change) await kitchenBoard(env).update(change);
}

/** An event applied by the order's ticket, then the board told (after a duplicate too: that is the repair). */
export async function withEachEventOnBoard<T>(env: Env, orderId: string, applied: Promise<T>): Promise<T> {
  const outcome = await applied;
  await showOnKitchenBoard(env, orderId);
  return outcome;
}

// Declared in staff-api-routes.ts, so the public origin's document shows them as they are served.
export const kitchenBoardApi = routesOf(contextApi<Env>("kitchen"))
  .use("/kitchen/tickets", allowRoles("staff"))
  .use("/kitchen/tickets/live", allowRoles("staff"))
  .serve(getKitchenBoard, async (c) => c.json(await kitchenBoard(c.env).board()))
  .serve(liveKitchenBoard, (c) => openLiveBoard(c, kitchenBoard(c.env)))
  .use("/kitchen/tickets/:orderId/*", tellBoardAfterStep("kitchen", showOnKitchenBoard)).app;
