import { SHOP } from "../../durable-objects/collection/counter-board";
import { allowRoles, contextApi } from "../../shared/http/context-api";
import { routesOf } from "../../shared/http/openapi";
import { openLiveBoard, tellBoardAfterStep } from "../../shared/http/staff-board";
import { getCounterBoard, liveCounterBoard } from "./counter-api-routes";

/**
 * The counter's board for the counter screen (staff role): `GET /collection/orders` (orders waiting at
 * the counter) and `GET /collection/orders/live` (a WebSocket: `{ type: "board", board }` on connect and
 * after every change). Mounted in the counter API before its `/collection/orders/:orderId` routes, so
 * "live" is never read as an order id, and so the step middleware below wraps the counter's command.
 *
 * The CounterCollection stays the truth; after each change the board is told its whole current state,
 * versioned by its step (CounterBoard ignores anything older). If telling fails: an event's handler
 * throws and the harness retries it (the order answers "duplicate" and the board is told again); the
 * collected command answers 503 and counter staff repeat it (a 202 with nothing new, telling the board
 * again). The retries already exist, so no pending flag or alarm per order (workers/kitchen/board-api.ts).
 */
const counterBoard = (env: Env) => env.COUNTER_BOARD.getByName(SHOP);

/** Tells the counter's board the order's current state; throws if the board could not be told. */
export async function showOnCounterBoard(env: Env, orderId: string): Promise<void> {
  const change = await env.COUNTER.getByName(orderId).boardChange();
  if (change) await counterBoard(env).update(change);
}

/** An event applied by the order at the counter, then the board told (after a duplicate too: the repair). */
export async function withEachEventOnBoard<T>(env: Env, orderId: string, applied: Promise<T>): Promise<T> {
  const outcome = await applied;
  await showOnCounterBoard(env, orderId);
  return outcome;
}

// Declared in counter-api-routes.ts, so the public origin's document shows them as they are served.
export const counterBoardApi = routesOf(contextApi<Env>("collection"))
  .use("/collection/orders", allowRoles("staff"))
  .use("/collection/orders/live", allowRoles("staff"))
  .serve(getCounterBoard, async (c) => c.json(await counterBoard(c.env).board()))
  .serve(liveCounterBoard, (c) => openLiveBoard(c, counterBoard(c.env)))
  .use("/collection/orders/:orderId/*", tellBoardAfterStep("collection", showOnCounterBoard)).app;
