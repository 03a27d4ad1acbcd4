import { env, exports } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Order } from "../../durable-objects/orders/order";
import { mintToken } from "../../shared/auth/token";
import { createEvent } from "../../shared/events/envelope";
import { startTrace } from "../../shared/events/trace";
import { submitCommand } from "./submit-command";

/**
 * An order id is one Durable Object, and anyone with a token can name any id: asking about one that was
 * never placed must answer 404 and store nothing (no tables, no alarm), or every guess would leave an
 * object behind.
 */
const api = (path: string, init?: RequestInit) =>
  exports.default.fetch(new Request(`https://pizza.test${path}`, init));
const asCustomer = async (method = "GET") => ({
  method,
  headers: { Authorization: `Bearer ${await mintToken(env.JWT_SECRET, `customer-${crypto.randomUUID()}`)}` },
});

/**
 * What the object has stored: its tables (an empty table is stored too) and its alarm. (Not whether it
 * is listed: locally workerd makes an object's database file as soon as the object starts.)
 */
const storedBy = (orderId: string) =>
  runInDurableObject(env.ORDERS.getByName(orderId), async (_order: Order, state) => ({
    tables: state.storage.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .toArray()
      .map((t) => t.name),
    alarm: await state.storage.getAlarm(),
  }));

describe("an order id nobody placed", () => {
  it("answers 404 to every route and leaves no object behind", async () => {
    const orderId = crypto.randomUUID();
    for (const [method, path] of [
      ["GET", `/orders/${orderId}`],
      ["GET", `/orders/${orderId}/events`],
      ["POST", `/orders/${orderId}/cancel`],
    ] as const) {
      const res = await api(path, await asCustomer(method));
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(await res.json(), `${method} ${path}`).toMatchObject({ error: "not_found" });
    }
    expect(await storedBy(orderId)).toEqual({ tables: [], alarm: null });
  });

  it("stores nothing when asked directly, by a late event or by its alarm", async () => {
    const orderId = crypto.randomUUID();
    const order = env.ORDERS.getByName(orderId);
    expect(await order.view("alice")).toBeUndefined();
    expect(await order.appliedEvents("alice")).toBeUndefined();
    expect(await order.cancelCheck("alice")).toMatchObject({ ok: false, status: 404 });
    expect(await order.cancel("alice")).toMatchObject({ ok: false, status: 404 });
    expect(await order.unpublishedEvents()).toBe(0);
    const taken = createEvent(
      "com.plantbasedpizza.payment.taken.v1",
      {
        orderId,
        paymentId: crypto.randomUUID(),
        amount: { amount: 1150, currency: "GBP" },
        takenAt: new Date().toISOString(),
      },
      { traceparent: startTrace(), causationid: "test", subject: orderId },
    );
    expect(await order.applyEvent(taken)).toBe("unknown-order");
    expect(await runDurableObjectAlarm(order)).toBe(false);
    expect(await storedBy(orderId)).toEqual({ tables: [], alarm: null });
  });
});

describe("a placed order", () => {
  it("creates its tables with the order, in the transaction that records it", async () => {
    const orderId = crypto.randomUUID();
    const order = env.ORDERS.getByName(orderId);
    expect(await order.submit(submitCommand(orderId))).toMatchObject({ outcome: "accepted" });
    const stored = await storedBy(orderId);
    expect(stored.tables).toEqual(expect.arrayContaining(["orders", "history", "applied_events", "outbox"]));
    expect(stored.alarm).not.toBeNull();
    expect((await order.view("alice"))?.status).toBe("submitted");
  });
});
