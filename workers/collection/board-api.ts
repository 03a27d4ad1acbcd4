import { SHOP } from "../../durable-objects/collection/counter-board";
import { allowRoles, contextApi } from "../../shared/http/context-api";
import { openLiveBoard, tellBoardAfterStep } from "../../shared/http/staff-board";

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

export const counterBoardApi = contextApi<Env>("collection")
  .get("/collection/orders", allowRoles("staff"), async (c) => c.json(await counterBoard(c.env).board()))
  .get("/collection/orders/live", allowRoles("staff"), (c) => openLiveBoard(c, counterBoard(c.env)))
  .use("/collection/orders/:orderId/*", tellBoardAfterStep("collection", showOnCounterBoard));
