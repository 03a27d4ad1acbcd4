import { z } from "@hono/zod-openapi";
import { apiRoute, json, OrderIdParams } from "../../shared/http/openapi";

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
);

/** Every route of the counter's API, for the public origin's document. */
export const collectionRoutes = [getCounterOrder, collected];
