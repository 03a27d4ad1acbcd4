import type { Context } from "hono";
import { allowRoles, contextApi, type ContextApiEnv } from "../../shared/http/context-api";
import { errorResponse } from "../../shared/http/errors";
import { serve } from "../../shared/http/openapi";
import { commandResponse } from "../../shared/http/staff-command";
import { OrderId } from "../../shared/events/catalog/ids";
import { counterBoardApi } from "./board-api";
import { collected, getCounterOrder } from "./counter-api-routes";

/** The counter staff's thin API (staff role): see an order at the counter, and hand it over. */

/** The order at the counter, or undefined for an id that cannot be an order (a 404, like an unknown one). */
function counterOrder(c: Context<ContextApiEnv<Env>>) {
  const orderId = c.req.param("orderId");
  return orderId && OrderId.safeParse(orderId).success ? c.env.COUNTER.getByName(orderId) : undefined;
}

const notAtCounter = (c: Context) =>
  errorResponse(c, 404, "not_found", "No order at the counter with this id.");

export const collectionApi = contextApi<Env>("collection");
collectionApi.use("/collection/*", allowRoles("staff"));
// The board, before the :orderId routes (board-api.ts).
collectionApi.route("/", counterBoardApi);
serve(collectionApi, getCounterOrder, async (c) => {
  const found = await counterOrder(c)?.order();
  return found ? c.json(found) : notAtCounter(c);
});
serve(collectionApi, collected, async (c) => {
  const stub = counterOrder(c);
  return stub ? commandResponse(c, await stub.collected()) : notAtCounter(c);
});
