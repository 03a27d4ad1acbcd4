import { OrderId } from "../../shared/events/catalog/ids";
import { allowRoles, contextApi } from "../../shared/http/context-api";
import { errorResponse } from "../../shared/http/errors";
import { commandResponse } from "../../shared/http/staff-command";
import { kitchenBoardApi } from "./board-api";

/** The kitchen staff's thin API (staff role): see a ticket, and move it on. */
const tickets = (env: Env, orderId: string) => env.KITCHEN_TICKETS.getByName(orderId);

export const kitchenApi = contextApi<Env>("kitchen")
  .use("/kitchen/*", allowRoles("staff"))
  .route("/", kitchenBoardApi) // the board, before the :orderId routes (board-api.ts)
  .use("/kitchen/tickets/:orderId/*", async (c, next) => {
    if (!OrderId.safeParse(c.req.param("orderId")).success)
      return errorResponse(c, 404, "not_found", "No ticket for this order.");
    await next();
  })
  .get("/kitchen/tickets/:orderId", async (c) => {
    const ticket = OrderId.safeParse(c.req.param("orderId")).success
      ? await tickets(c.env, c.req.param("orderId")).ticket()
      : undefined;
    return ticket && ticket.items.length
      ? c.json(ticket)
      : errorResponse(c, 404, "not_found", "No ticket for this order.");
  })
  .post("/kitchen/tickets/:orderId/start-preparing", async (c) =>
    commandResponse(c, await tickets(c.env, c.req.param("orderId")).startPreparing()),
  )
  .post("/kitchen/tickets/:orderId/pizza-baked", async (c) =>
    commandResponse(c, await tickets(c.env, c.req.param("orderId")).pizzaBaked()),
  )
  .post("/kitchen/tickets/:orderId/quality-checked", async (c) =>
    commandResponse(c, await tickets(c.env, c.req.param("orderId")).qualityChecked()),
  );
