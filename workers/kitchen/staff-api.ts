import { OrderId } from "../../shared/events/catalog/ids";
import { allowRoles, contextApi } from "../../shared/http/context-api";
import { errorResponse } from "../../shared/http/errors";
import { serve } from "../../shared/http/openapi";
import { commandResponse } from "../../shared/http/staff-command";
import { kitchenBoardApi } from "./board-api";
import { getTicket, pizzaBaked, qualityChecked, startPreparing } from "./staff-api-routes";

/** The kitchen staff's thin API (staff role): see a ticket, and move it on. Declared in staff-api-routes.ts. */
const tickets = (env: Env, orderId: string) => env.KITCHEN_TICKETS.getByName(orderId);

export const kitchenApi = contextApi<Env>("kitchen");
kitchenApi.use("/kitchen/*", allowRoles("staff"));
// The board, before the :orderId routes (board-api.ts).
kitchenApi.route("/", kitchenBoardApi);
kitchenApi.use("/kitchen/tickets/:orderId/*", async (c, next) => {
  if (!OrderId.safeParse(c.req.param("orderId")).success)
    return errorResponse(c, 404, "not_found", "No ticket for this order.");
  await next();
});
serve(kitchenApi, getTicket, async (c) => {
  const ticket = OrderId.safeParse(c.req.param("orderId")).success
    ? await tickets(c.env, c.req.param("orderId")).ticket()
    : undefined;
  return ticket && ticket.items.length
    ? c.json(ticket)
    : errorResponse(c, 404, "not_found", "No ticket for this order.");
});
serve(kitchenApi, startPreparing, async (c) =>
  commandResponse(c, await tickets(c.env, c.req.param("orderId")).startPreparing()),
);
serve(kitchenApi, pizzaBaked, async (c) =>
  commandResponse(c, await tickets(c.env, c.req.param("orderId")).pizzaBaked()),
);
serve(kitchenApi, qualityChecked, async (c) =>
  commandResponse(c, await tickets(c.env, c.req.param("orderId")).qualityChecked()),
);
