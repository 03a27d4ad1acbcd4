import type { Context } from "hono";
import { z } from "zod";
import { allowRoles, contextApi, type ContextApiEnv } from "../../shared/http/context-api";
import { errorResponse, zodIssues } from "../../shared/http/errors";
import { readJsonBody } from "../../shared/http/json-body";
import { commandResponse } from "../../shared/http/staff-command";
import { OrderId } from "../../shared/events/catalog/ids";
import { deliveryBoardApi } from "./board-api";

/** The drivers' thin API (staff role): see a delivery with its address, and move it on. */
const AssignDriver = z.object({ driverId: z.string().trim().min(1).max(128) });

/** The order's delivery, or undefined for an id that cannot be an order (a 404, like an unknown one). */
function delivery(c: Context<ContextApiEnv<Env>>) {
  const orderId = c.req.param("orderId");
  if (!orderId || !OrderId.safeParse(orderId).success) return undefined;
  return c.env.DELIVERIES.getByName(orderId);
}

const noDelivery = (c: Context) => errorResponse(c, 404, "not_found", "No delivery for this order.");

export const deliveryApi = contextApi<Env>("delivery")
  .use("/delivery/*", allowRoles("staff"))
  .route("/", deliveryBoardApi) // the board, before the :orderId routes (board-api.ts)
  .get("/delivery/orders/:orderId", async (c) => {
    const found = await delivery(c)?.delivery();
    return found ? c.json(found) : noDelivery(c);
  })
  .post("/delivery/orders/:orderId/driver", async (c) => {
    const stub = delivery(c);
    if (!stub) return noDelivery(c);
    const read = await readJsonBody(c);
    if (!read.ok) return read.response;
    const command = AssignDriver.safeParse(read.body);
    if (!command.success)
      return errorResponse(
        c,
        400,
        "validation_failed",
        "The driver assignment is not valid.",
        zodIssues(command.error),
      );
    return commandResponse(c, await stub.assignDriver(command.data.driverId));
  })
  .post("/delivery/orders/:orderId/collected-by-driver", async (c) => {
    const stub = delivery(c);
    return stub ? commandResponse(c, await stub.collectedByDriver()) : noDelivery(c);
  })
  .post("/delivery/orders/:orderId/delivered", async (c) => {
    const stub = delivery(c);
    return stub ? commandResponse(c, await stub.delivered()) : noDelivery(c);
  });
