import { z } from "@hono/zod-openapi";
import type { BoardTicket as KitchenBoardTicket } from "../../durable-objects/kitchen/kitchen-board";
import type { Ticket as KitchenTicket } from "../../durable-objects/kitchen/kitchen-ticket";
import { apiRoute, staffBoardRoutes, json, OrderIdParams, type Declares } from "../../shared/http/openapi";
import { BOARD_UNAVAILABLE } from "../../shared/http/staff-board";

/**
 * The kitchen staff's API as declared: what staff-api.ts serves and the public origin's document
 * (GET /openapi.json) shows. Free of the kitchen worker's bindings, so the orders worker can import it.
 */
const STAFF = { roles: ["staff"] } as const;
const TAGS = ["Kitchen"];

export const Ticket = z
  .object({
    ticketId: z.string(),
    orderId: z.string(),
    status: z.enum(["waiting", "preparing", "baked", "quality-checked", "withdrawn"]),
    items: z.array(
      z.object({
        recipeId: z.string(),
        name: z.string(),
        quantity: z.number().int(),
        label: z.string().optional().openapi({ description: "Catering: who the line is for." }),
        notes: z.string().optional().openapi({ description: "Catering: what the cooks must know." }),
      }),
    ),
    openedAt: z.iso.datetime(),
  })
  .openapi("KitchenTicket");

true satisfies Declares<typeof Ticket, KitchenTicket>;

const TicketStatus = Ticket.shape.status;

/** A ticket as the cooks' board shows it (durable-objects/kitchen/kitchen-board.ts). */
export const BoardTicket = z
  .object({
    orderId: z.string(),
    status: TicketStatus,
    items: z
      .array(z.object({ recipeId: z.string(), name: z.string(), quantity: z.number().int() }))
      .openapi({ description: "One entry per recipe, its quantity summed over the order's lines." }),
    hasNotes: z.boolean().openapi({
      description: "Whether any line has notes the cooks must read (allergies): see the ticket itself.",
    }),
    openedAt: z.iso.datetime(),
    updatedAt: z.iso.datetime().openapi({ description: "When the board saw the ticket's current step." }),
  })
  .openapi("KitchenBoardTicket");
true satisfies Declares<typeof BoardTicket, KitchenBoardTicket>;

/** GET /kitchen/tickets, and each message of its live feed. */
export const KitchenBoard = z
  .object({
    tickets: z
      .array(BoardTicket)
      .openapi({ description: "Waiting, preparing and baked tickets, oldest first." }),
  })
  .openapi("KitchenBoard");

const kitchenBoardRoutes = staffBoardRoutes({
  path: "/kitchen/tickets",
  tag: TAGS[0]!,
  name: "The kitchen's board",
  holds: "the tickets in hand",
  description: "Withdrawn and quality-checked tickets leave it.",
  schema: KitchenBoard,
  answers: "The open tickets, oldest first.",
});
/** Each message of the live board. */
export const KitchenBoardMessage = kitchenBoardRoutes.message;
export const getKitchenBoard = kitchenBoardRoutes.list;
export const liveKitchenBoard = kitchenBoardRoutes.live;

const NO_TICKET = { 404: "No ticket for this order." };

export const getTicket = apiRoute(
  {
    method: "get",
    path: "/kitchen/tickets/{orderId}",
    tags: TAGS,
    summary: "The kitchen's ticket for an order",
    request: { params: OrderIdParams },
    responses: { 200: json(Ticket, "The ticket.") },
  },
  STAFF,
  NO_TICKET,
);

/** One cook's step: 202 with the ticket; a repeat of a step that took effect is 202 too. */
const step = (path: string, summary: string, from: string) =>
  apiRoute(
    {
      method: "post",
      path: `/kitchen/tickets/{orderId}/${path}`,
      tags: TAGS,
      summary,
      description: `Allowed when the ticket is ${from}; a repeat of a step that took effect answers 202 again.`,
      request: { params: OrderIdParams },
      responses: { 202: json(Ticket, "The ticket, moved on.") },
    },
    STAFF,
    NO_TICKET,
    { 409: "The ticket is not at the step before this one (the message says where it is)." },
    BOARD_UNAVAILABLE,
  );

export const startPreparing = step("start-preparing", "Start preparing the order", "waiting");
export const pizzaBaked = step("pizza-baked", "The pizzas are baked", "preparing");
export const qualityChecked = step("quality-checked", "The order passed the quality check", "baked");

/** Every route of the kitchen's API, for the public origin's document. */
export const kitchenRoutes = [
  getKitchenBoard,
  liveKitchenBoard,
  getTicket,
  startPreparing,
  pizzaBaked,
  qualityChecked,
];
