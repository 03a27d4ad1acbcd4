import { z } from "@hono/zod-openapi";
import type { BoardCounterOrder } from "../../durable-objects/collection/counter-board";
import type { CounterOrder as CounterOrderView } from "../../durable-objects/collection/counter-collection";
import { apiRoute, staffBoardRoutes, json, OrderIdParams, type Declares } from "../../shared/http/openapi";
import { BOARD_UNAVAILABLE } from "../../shared/http/staff-board";

/**
 * The counter staff's API as declared: what counter-api.ts serves and the public origin's document
 * shows. Free of the collection worker's bindings, so the orders worker can import it.
 */
const STAFF = { roles: ["staff"] } as const;
const TAGS = ["Collection"];

export const CounterOrder = z
  .object({
    orderId: z.string(),
    customerId: z.string(),
    status: z.enum(["waiting-at-counter", "collected"]),
    readyAt: z.iso.datetime(),
    collectedAt: z.iso.datetime().optional(),
  })
  .openapi("CounterOrder");

true satisfies Declares<typeof CounterOrder, CounterOrderView>;

/** An order as the counter's board shows it (durable-objects/collection/counter-board.ts). */
export const BoardOrder = z
  .object({
    orderId: z.string(),
    status: CounterOrder.shape.status,
    readyAt: z.iso.datetime(),
    updatedAt: z.iso.datetime().openapi({ description: "When the board saw the order's current step." }),
  })
  .openapi("CounterBoardOrder");
true satisfies Declares<typeof BoardOrder, BoardCounterOrder>;

/** GET /collection/orders, and each message of its live feed. */
export const CounterBoard = z
  .object({
    orders: z.array(BoardOrder).openapi({ description: "Orders waiting at the counter, oldest first." }),
  })
  .openapi("CounterBoard");

const counterBoardRoutes = staffBoardRoutes({
  path: "/collection/orders",
  tag: TAGS[0]!,
  name: "The counter's board",
  holds: "orders waiting for their customers",
  description: "A collected order leaves it.",
  schema: CounterBoard,
  answers: "The orders waiting at the counter, oldest first.",
});
/** Each message of the live board. */
export const CounterBoardMessage = counterBoardRoutes.message;
export const getCounterBoard = counterBoardRoutes.list;
export const liveCounterBoard = counterBoardRoutes.live;

const NOT_AT_COUNTER = { 404: "No order at the counter with this id." };

export const getCounterOrder = apiRoute(
  {
    method: "get",
    path: "/collection/orders/{orderId}",
    tags: TAGS,
    summary: "An order waiting at the counter (or collected)",
    request: { params: OrderIdParams },
    responses: { 200: json(CounterOrder, "The order at the counter.") },
  },
  STAFF,
  NOT_AT_COUNTER,
);

export const collected = apiRoute(
  {
    method: "post",
    path: "/collection/orders/{orderId}/collected",
    tags: TAGS,
    summary: "The customer collected the order",
    description: "A repeat answers 202 again.",
    request: { params: OrderIdParams },
    responses: { 202: json(CounterOrder, "The order, collected.") },
  },
  STAFF,
  NOT_AT_COUNTER,
  BOARD_UNAVAILABLE,
);

/** Every route of the counter's API, for the public origin's document. */
export const collectionRoutes = [getCounterBoard, liveCounterBoard, getCounterOrder, collected];
