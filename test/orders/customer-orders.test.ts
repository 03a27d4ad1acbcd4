import { env, exports } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { CustomerOrders } from "../../durable-objects/orders/customer-orders";
import { mintToken, type Role } from "../../shared/auth/token";
import { createEvent } from "../../shared/events/envelope";
import { startTrace } from "../../shared/events/trace";
import worker from "../../workers/orders";
import { queueConsumer } from "../support/queue-batch";

/**
 * GET /orders: a customer's own orders, newest first, from a list (one CustomerOrders object per
 * customer) that orders' event handlers keep from orders' own order.submitted events, handed to the
 * worker's real queue handler as the router would deliver them.
 */
const { deliver } = queueConsumer(worker, "orders-inbox");

const submitted = (customerId: string, submittedAt: string, fulfilment: "collection" | "delivery") => {
  const orderId = crypto.randomUUID();
  return createEvent(
    "com.plantbasedpizza.order.submitted.v1",
    { orderId, customerId, fulfilment, total: { amount: 1150, currency: "GBP" }, submittedAt },
    { traceparent: startTrace(), causationid: "submit-order:test", subject: orderId },
  );
};

async function myOrders(customerId: string, role: Role = "customer") {
  return exports.default.fetch(
    new Request("https://pizza.test/orders", {
      headers: { Authorization: `Bearer ${await mintToken(env.JWT_SECRET, customerId, role)}` },
    }),
  );
}

const listOf = async (customerId: string) => {
  const res = await myOrders(customerId);
  expect(res.status).toBe(200);
  return (await res.json<{ orders: { orderId: string }[] }>()).orders;
};

describe("GET /orders, a customer's orders", () => {
  afterEach(() => vi.restoreAllMocks());

  it("lists the orders whose order.submitted was handled, newest first", async () => {
    const customerId = `customer-${crypto.randomUUID()}`;
    const older = submitted(customerId, "2026-01-01T12:00:00.000Z", "collection");
    const newer = submitted(customerId, "2026-01-02T12:00:00.000Z", "delivery");
    // Out of order, as a queue may deliver them.
    expect((await deliver(newer)).explicitAcks).toHaveLength(1);
    expect((await deliver(older)).explicitAcks).toHaveLength(1);
    expect(await listOf(customerId)).toEqual([
      {
        orderId: newer.data.orderId,
        placedAt: "2026-01-02T12:00:00.000Z",
        fulfilment: "delivery",
        total: { amount: 1150, currency: "GBP" },
      },
      {
        orderId: older.data.orderId,
        placedAt: "2026-01-01T12:00:00.000Z",
        fulfilment: "collection",
        total: { amount: 1150, currency: "GBP" },
      },
    ]);
  });

  it("applies a redelivered order.submitted once", async () => {
    const customerId = `customer-${crypto.randomUUID()}`;
    const event = submitted(customerId, new Date().toISOString(), "collection");
    const log = vi.spyOn(console, "log");
    await deliver(event);
    const again = await deliver(event, 2);
    expect(again.explicitAcks).toHaveLength(1);
    const outcomes = log.mock.calls
      .map(([fields]) => fields as Record<string, unknown>)
      .filter((f) => f.id === event.id)
      .map((f) => f.outcome);
    expect(outcomes).toEqual(["processed", "duplicate"]);
    const handled = await env.CUSTOMER_ORDERS.getByName(customerId).handledEvents();
    expect(handled.map((h) => [h.id, h.attempts])).toEqual([[event.id, 1]]);
    expect((await listOf(customerId)).map((o) => o.orderId)).toEqual([event.data.orderId]);
  });

  it("shows a customer none of another customer's orders", async () => {
    const alice = `customer-${crypto.randomUUID()}`;
    const bob = `customer-${crypto.randomUUID()}`;
    const alices = submitted(alice, new Date().toISOString(), "collection");
    await deliver(alices);
    expect((await listOf(alice)).map((o) => o.orderId)).toEqual([alices.data.orderId]);
    expect(await listOf(bob)).toEqual([]);
  });

  it("answers a new customer an empty list and stores nothing", async () => {
    const customerId = `customer-${crypto.randomUUID()}`;
    expect(await listOf(customerId)).toEqual([]);
    const tables = await runInDurableObject(
      env.CUSTOMER_ORDERS.getByName(customerId),
      async (_o: CustomerOrders, state) =>
        state.storage.sql
          .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
          .toArray()
          .map((t) => t.name),
    );
    expect(tables).toEqual([]);
  });

  it("needs a customer's token: 401 without one, 403 for staff", async () => {
    const anonymous = await exports.default.fetch(new Request("https://pizza.test/orders"));
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ error: "unauthorized" });
    const staff = await myOrders("cook-1", "staff");
    expect(staff.status).toBe(403);
    expect(await staff.json()).toMatchObject({ error: "forbidden" });
  });
});
