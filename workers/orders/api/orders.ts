import { z } from "@hono/zod-openapi";
import { requireRole } from "../../../shared/http/auth";
import { BUS, shardQueues } from "../../../shared/bus/shards";
import { overload, recentBusLoad, type MeasuredQueue } from "../../../shared/http/back-pressure";
import { logEvent } from "../../../shared/log";
import { errorResponse, zodIssues } from "../../../shared/http/errors";
import { readJsonBody } from "../../../shared/http/json-body";
import { commandResponse, type CommandOutcome } from "../../../shared/http/staff-command";
import { CANCELLED_BY_CUSTOMER } from "../../../durable-objects/orders/order-decider";
import { ORDER_STATUSES } from "../../../durable-objects/orders/order-lifecycle";
import { OrderId } from "../../../shared/events/catalog/ids";
import { Money, TaxedMoney } from "../../../shared/events/catalog/money";
import { Fulfilment, TaxedOrderLine } from "../../../shared/events/catalog/orders";
import type { OrderView as OrderReadModel } from "../../../durable-objects/orders/order";
import { CUSTOMER_ORDERS_KEPT, type CustomerOrder } from "../../../durable-objects/orders/customer-orders";
import { apiRoute, json, OrderIdParams, routesOf, type Declares } from "../../../shared/http/openapi";
import {
  DeliveryAddressId,
  fingerprint,
  IdempotencyKey,
  orderIdFor,
  priceOrder,
  SubmitOrderBody,
} from "../submit-order";
import { newRoutes } from "./app";

/**
 * Whether the bus is too far behind for new orders: more than BUS_MAX_BACKLOG messages (wrangler.toml)
 * waiting over all its shards, as this worker binds them, from a reading at most a second old
 * (shared/http/back-pressure.ts).
 */
async function busyBus(env: Env) {
  const load = await recentBusLoad(shardQueues<MeasuredQueue>(env, BUS).map((s) => s.queue));
  if (!load) {
    logEvent({ at: "orders-api", outcome: "bus-metrics-unavailable" });
    return undefined;
  }
  const verdict = overload(load, { maxBacklog: Number(env.BUS_MAX_BACKLOG) });
  if (!verdict.overloaded) return undefined;
  logEvent({ at: "orders-api", outcome: "overloaded", reason: verdict.reason });
  return verdict;
}

/** The payment's status on the order (order-decider.ts PaymentStatus; `Declares` below keeps them equal). */
const PAYMENT_STATUSES = [
  "pending",
  "taken",
  "failed",
  "void-requested",
  "voided",
  "refund-requested",
  "refunded",
  "awaiting-address",
  "not-requested",
] as const;

/** What GET /orders/{orderId} answers: the order's read model (durable-objects/orders/order.ts OrderView). */
export const OrderView = z
  .object({
    orderId: z.string(),
    customerId: z.string(),
    status: z.enum(ORDER_STATUSES),
    fulfilment: Fulfilment,
    deliveryAddressId: DeliveryAddressId.optional(),
    items: z.array(TaxedOrderLine).openapi({ description: "Each line with its tax rate and net/tax/gross." }),
    deliveryFee: Money.optional().meta({ description: "Tax included." }),
    total: Money.meta({ description: "What the customer pays, tax included." }),
    totalWithTax: TaxedMoney,
    payment: z.object({
      status: z.enum(PAYMENT_STATUSES).openapi({
        description:
          "`awaiting-address`: not asked for yet, the order waits for its delivery address to be known; " +
          "`not-requested`: never asked for, the order was cancelled while it waited.",
      }),
    }),
    cancellation: z.object({ reason: z.string() }).optional(),
    history: z.array(
      z.object({
        status: z.enum(ORDER_STATUSES),
        at: z.iso.datetime(),
        eventType: z.string(),
        eventId: z.string(),
      }),
    ),
    story: z
      .array(
        z.object({
          at: z.iso.datetime().openapi({ description: "When it happened: the event's time." }),
          eventType: z.string(),
          eventId: z.string(),
          says: z.string().openapi({
            description: "In the business's words.",
            example: "Cancelled: payment timed out",
          }),
        }),
      )
      .openapi({
        description:
          "Every fact the order applied (its own events and other contexts' it consumed), oldest first: " +
          '"Payment taken", "Order confirmed", "Preparation started", "Pizza baked"…',
      }),
  })
  .openapi("OrderView");
// The declared view is exactly the Order object's (durable-objects/orders/order.ts).
true satisfies Declares<typeof OrderView, OrderReadModel>;

const CUSTOMER = { roles: ["customer"] } as const;
const TAGS = ["Orders"];
const NO_ORDER = {
  404: "No such order for this customer (another customer's order is not theirs to learn of).",
};
const OrderAccepted = z.object({ orderId: z.string(), status: z.enum(ORDER_STATUSES) });

const submitOrder = apiRoute(
  {
    method: "post",
    path: "/",
    tags: TAGS,
    summary: "Submit an order (SubmitOrder)",
    description:
      "Prices come from the menu; delivery needs one of the caller's addresses and adds the delivery fee. " +
      "An address added a moment ago is fine: the order is accepted and waits for it (payment " +
      "`awaiting-address`, asking for no money), and is cancelled if it is not known within a minute. Up to " +
      "500 lines (catering) and 512 KB. Answers at once: payment, kitchen and the rest follow through events.",
    request: {
      headers: z.object({
        "Idempotency-Key": IdempotencyKey.optional().meta({
          description:
            "A repeat with the same body answers the same and creates nothing; with another body, 422.",
          example: "my-first-order",
        }),
      }),
      body: { required: true, content: { "application/json": { schema: SubmitOrderBody } } },
    },
    responses: {
      202: {
        ...json(OrderAccepted, "Accepted: the order is submitted."),
        headers: {
          Location: { description: "/orders/{orderId}", schema: { type: "string" } },
          "Idempotent-Replayed": { description: "`true` on a repeat.", schema: { type: "string" } },
        },
      },
    },
  },
  {
    ...CUSTOMER,
    invalid: { json: "The order is not valid.", header: "The Idempotency-Key header is not valid." },
  },
  { 413: "The body is larger than 512 KB." },
  422,
  { 503: "The event bus is too far behind to take new orders: retry after `Retry-After` seconds." },
);

/** One of the caller's orders in GET /orders (durable-objects/orders/customer-orders.ts CustomerOrder). */
const CustomerOrderView = z
  .object({
    orderId: z.string(),
    placedAt: z.iso.datetime().openapi({ description: "When it was submitted." }),
    fulfilment: Fulfilment,
    total: Money.meta({ description: "What the customer pays, tax included." }),
  })
  .openapi("CustomerOrder");
true satisfies Declares<typeof CustomerOrderView, CustomerOrder>;

const listOrders = apiRoute(
  {
    method: "get",
    path: "/",
    tags: TAGS,
    summary: "The caller's orders, newest first",
    description:
      `At most the last ${CUSTOMER_ORDERS_KEPT}. A list kept from orders' own order.submitted events, so ` +
      "eventually consistent: an order placed a moment ago may not be on it yet (the 202 of POST /orders " +
      "names it). Each order's status and story: GET /orders/{orderId}.",
    responses: {
      200: json(z.object({ orders: z.array(CustomerOrderView) }), "The caller's orders, newest first."),
    },
  },
  CUSTOMER,
);

const getOrder = apiRoute(
  {
    method: "get",
    path: "/{orderId}",
    tags: TAGS,
    summary: "The order's read model",
    request: { params: OrderIdParams },
    responses: { 200: json(OrderView, "The order.") },
  },
  CUSTOMER,
  NO_ORDER,
);

const orderEvents = apiRoute(
  {
    method: "get",
    path: "/{orderId}/events",
    tags: TAGS,
    summary: "The CloudEvents the order's read model applied, oldest first",
    request: { params: OrderIdParams },
    responses: {
      200: json(
        z.object({
          orderId: z.string(),
          events: z.array(
            z.looseObject({
              specversion: z.literal("1.0"),
              id: z.string(),
              type: z.string(),
              source: z.string(),
              time: z.iso.datetime(),
              data: z.unknown(),
            }),
          ),
        }),
        "The events (CloudEvents 1.0; GET /catalog describes each type).",
      ),
    },
  },
  CUSTOMER,
  NO_ORDER,
);

const cancelOrder = apiRoute(
  {
    method: "post",
    path: "/{orderId}/cancel",
    tags: TAGS,
    summary: "Cancel the order",
    description:
      "Until the kitchen starts preparing it. A paid order is refunded; one still waiting for its payment " +
      "has it voided. A repeat answers 202 again.",
    request: { params: OrderIdParams },
    responses: { 202: json(OrderAccepted, "Cancelled.") },
  },
  CUSTOMER,
  NO_ORDER,
  { 409: "Too late: the kitchen has started preparing it (the message says why)." },
);

/** Used when a SubmitOrder names no card: the customer's card on file (simulated: it approves). */
const CARD_ON_FILE = "tok_card_on_file";

/**
 * The orders thin API: validate the SubmitOrder command, hand it to the order's Durable Object and
 * answer 202 with where to look; everything after that happens through events. Queries answer from
 * the order's read model, and only to the customer who placed the order.
 */
export const orderRoutes = routesOf(newRoutes())
  .use("*", requireRole("customer"))
  // The declaration validates the body and the key first (same schemas); the handler still checks both.
  .serve(submitOrder, async (c) => {
    const parsed = await readJsonBody(c);
    if (!parsed.ok) return parsed.response;
    const body = SubmitOrderBody.safeParse(parsed.body);
    if (!body.success)
      return errorResponse(c, 400, "validation_failed", "The order is not valid.", zodIssues(body.error));
    const priced = priceOrder(body.data);
    if ("issues" in priced)
      return errorResponse(c, 400, "validation_failed", "The order is not valid.", priced.issues);

    const keyHeader = c.req.header("Idempotency-Key");
    const key = keyHeader === undefined ? undefined : IdempotencyKey.safeParse(keyHeader);
    if (key && !key.success) {
      return errorResponse(
        c,
        400,
        "validation_failed",
        "The Idempotency-Key header is not valid.",
        zodIssues(key.error, "Idempotency-Key"),
      );
    }
    // Refuse, rather than accept orders the payment deadline would cancel (shared/http/back-pressure.ts).
    const busy = await busyBus(c.env);
    if (busy) {
      c.header("Retry-After", String(busy.retryAfterSeconds));
      return errorResponse(
        c,
        503,
        "overloaded",
        "We are taking too many orders right now: try again shortly.",
        [{ field: "orders", reason: busy.reason }],
      );
    }

    const customerId = c.var.principal.id;
    const { deliveryAddressId } = body.data;
    const orderId = await orderIdFor(customerId, key?.data);
    // Orders' own copy of the customer's addresses (from customers' events) is eventually consistent:
    // an address added a moment ago may not be known yet, and that is never the customer's error. The
    // book says whether it knows the address or, in the same call, registers the order as waiting for
    // it; a waiting order asks for no money until the address arrives, and is cancelled if it does not
    // within DELIVERY_ADDRESS_WAIT_SECONDS (another customer's address never arrives in this book).
    const until = Date.now() + Number(c.env.DELIVERY_ADDRESS_WAIT_SECONDS) * 1000;
    const awaitAddressUntil =
      deliveryAddressId &&
      (await c.env.ADDRESS_BOOKS.getByName(customerId).admit(deliveryAddressId, orderId, until)) === "awaited"
        ? until
        : undefined;
    const result = await c.env.ORDERS.getByName(orderId).submit({
      orderId,
      customerId,
      fulfilment: body.data.fulfilment,
      ...(deliveryAddressId ? { deliveryAddressId } : {}),
      lines: priced.lines,
      ...(priced.deliveryFee ? { deliveryFee: priced.deliveryFee } : {}),
      total: priced.total,
      cardToken: body.data.cardToken ?? CARD_ON_FILE,
      fingerprint: await fingerprint(body.data),
      commandId: `submit-order:${crypto.randomUUID()}`,
      traceparent: c.var.traceparent,
      paymentTimeoutSeconds: Number(c.env.PAYMENT_TIMEOUT_SECONDS),
      ...(awaitAddressUntil !== undefined ? { awaitAddressUntil } : {}),
    });
    if (result.outcome === "conflict") {
      return errorResponse(
        c,
        422,
        "idempotency_key_reused",
        "This Idempotency-Key was already used for a different order.",
        [{ field: "Idempotency-Key", reason: "already used with a different body" }],
      );
    }
    if (result.outcome === "replayed") c.header("Idempotent-Replayed", "true");
    c.header("Location", `/orders/${result.orderId}`);
    return c.json({ orderId: result.orderId, status: result.status }, 202);
  })
  // The caller's own list only: the object is named by the token's subject, never by the request.
  .serve(listOrders, async (c) =>
    c.json({ orders: await c.env.CUSTOMER_ORDERS.getByName(c.var.principal.id).list() }),
  )
  .serve(getOrder, async (c) => {
    const orderId = c.req.param("orderId");
    const view = OrderId.safeParse(orderId).success
      ? await c.env.ORDERS.getByName(orderId).view(c.var.principal.id)
      : undefined;
    return view ? c.json(view) : notFound(c, orderId);
  })
  .serve(orderEvents, async (c) => {
    const orderId = c.req.param("orderId");
    const events = OrderId.safeParse(orderId).success
      ? await c.env.ORDERS.getByName(orderId).appliedEvents(c.var.principal.id)
      : undefined;
    return events ? c.json({ orderId, events }) : notFound(c, orderId);
  })
  /**
   * Cancel, decided where the truth is, so the answer holds whatever the timing: the order checks it
   * is the customer's and not known to be in the kitchen; then the kitchen, which alone knows whether a
   * cook has started (orders' own view lags it by a few queue hops), withdraws the ticket or refuses;
   * then the order records the cancel (void or refund). If that last step is lost, the kitchen's
   * ticket-withdrawn event finishes it.
   */
  .serve(cancelOrder, async (c) => {
    const orderId = c.req.param("orderId");
    if (!OrderId.safeParse(orderId).success) return notFound(c, orderId);
    const order = c.env.ORDERS.getByName(orderId);
    const customerId = c.var.principal.id;
    const check = await order.cancelCheck(customerId);
    if (!check.ok) return commandResponse(c, check);
    const commandId = `cancel-order:${crypto.randomUUID()}`;
    if (!check.alreadyCancelled) {
      const kitchen = await kitchenOf(c.env).withdrawBeforeStart(orderId, CANCELLED_BY_CUSTOMER, {
        traceparent: c.var.traceparent,
        causationid: commandId,
      });
      if (!kitchen.ok) return commandResponse(c, kitchen);
    }
    return commandResponse(c, await order.cancel(customerId, commandId));
  }).app;

/** The kitchen's answer to a cancel, over its service binding (an RPC method of its KitchenApi). */
interface KitchenCancellation {
  withdrawBeforeStart(
    orderId: string,
    reason: string,
    cause: { traceparent: string; causationid: string },
  ): Promise<CommandOutcome<{ orderId: string; status: "withdrawn" }>>;
}
// `wrangler types` cannot see another worker's entrypoint, so the binding is named here.
const kitchenOf = (env: Env) => env.KITCHEN as unknown as KitchenCancellation;

// Another customer's order is "not found" too: its existence is not theirs to learn.
const notFound = (c: Parameters<typeof errorResponse>[0], orderId: string) =>
  errorResponse(c, 404, "not_found", `No order ${orderId} for this customer.`);
