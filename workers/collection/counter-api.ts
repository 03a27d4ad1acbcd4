import type { Context } from "hono";
import { allowRoles, contextApi, type ContextApiEnv } from "../../shared/http/context-api";
import { errorResponse } from "../../shared/http/errors";
import { commandResponse } from "../../shared/http/staff-command";
import { OrderId } from "../../shared/events/catalog/ids";
import { counterBoardApi } from "./board-api";

/** The counter staff's thin API (staff role): see an order at the counter, and hand it over. */

/** The order at the counter, or undefined for an id that cannot be an order (a 404, like an unknown one). */
function counterOrder(c: Context<ContextApiEnv<Env>>) {
  const orderId = c.req.param("orderId");
  return orderId && OrderId.safeParse(orderId).success ? c.env.COUNTER.getByName(orderId) : undefined;
}

const notAtCounter = (c: Context) =>
  errorResponse(c, 404, "not_found", "No order at the counter with this id.");

export const collectionApi = contextApi<Env>("collection")
  .use("/collection/*", allowRoles("staff"))
  .route("/", counterBoardApi) // the board, before the :orderId routes (board-api.ts)
  .get("/collection/orders/:orderId", async (c) => {
    const found = await counterOrder(c)?.order();
    return found ? c.json(found) : notAtCounter(c);
  })
  .post("/collection/orders/:orderId/collected", async (c) => {
    const stub = counterOrder(c);
    return stub ? commandResponse(c, await stub.collected()) : notAtCounter(c);
  });
