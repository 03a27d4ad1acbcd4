import { requireRole } from "../../../shared/http/auth";
import { BUS, shardQueues } from "../../../shared/bus/shards";
import { overload, recentBusLoad, type MeasuredQueue } from "../../../shared/http/back-pressure";
import { logEvent } from "../../../shared/log";
import { errorResponse, zodIssues } from "../../../shared/http/errors";
import { readJsonBody } from "../../../shared/http/json-body";
import { commandResponse, type CommandOutcome } from "../../../shared/http/staff-command";
import { CANCELLED_BY_CUSTOMER } from "../../../durable-objects/orders/order-decider";
import { OrderId } from "../../../shared/events/catalog/ids";
import { fingerprint, IdempotencyKey, orderIdFor, priceOrder, SubmitOrderBody } from "../submit-order";
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

/** Used when a SubmitOrder names no card: the customer's card on file (simulated: it approves). */
const CARD_ON_FILE = "tok_card_on_file";

/**
 * The orders thin API: validate the SubmitOrder command, hand it to the order's Durable Object and
 * answer 202 with where to look; everything after that happens through events. Queries answer from
 * the order's read model, and only to the customer who placed the order.
 */
export const orderRoutes = newRoutes()
  .use("*", requireRole("customer"))
  .post("/", async (c) => {
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
  .get("/:orderId", async (c) => {
    const orderId = c.req.param("orderId");
    const view = OrderId.safeParse(orderId).success
      ? await c.env.ORDERS.getByName(orderId).view(c.var.principal.id)
      : undefined;
    return view ? c.json(view) : notFound(c, orderId);
  })
  .get("/:orderId/events", async (c) => {
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
  .post("/:orderId/cancel", async (c) => {
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
  });

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
