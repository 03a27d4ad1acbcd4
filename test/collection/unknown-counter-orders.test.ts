import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { CounterCollection } from "../../durable-objects/collection/counter-collection";
import type { Principal } from "../../shared/auth/token";
import { createEvent } from "../../shared/events/envelope";
import { startTrace } from "../../shared/events/trace";
import worker from "../../workers/collection";
import { collectionApi } from "../../workers/collection/counter-api";
import { queueConsumer } from "../support/queue-batch";

/**
 * An order at the counter is one Durable Object per order id, and counter staff can name any id:
 * asking about or handing over one collection never saw must answer 404 and store nothing (no tables,
 * no alarm), or every guess would leave an object behind.
 */
const counterStaff: Principal = { id: "counter-1", role: "staff" };
const call = (method: "GET" | "POST", path: string) =>
  collectionApi.fetch(new Request(`https://pizza.test${path}`, { method }), {
    ...env,
    principal: counterStaff,
  });

const { deliver } = queueConsumer(worker, "collection-inbox");

/**
 * What the object has stored: its tables (an empty table is stored too) and its alarm. (Not whether it
 * is listed: locally workerd makes an object's database file as soon as the object starts.)
 */
const storedBy = (orderId: string) =>
  runInDurableObject(env.COUNTER.getByName(orderId), async (_c: CounterCollection, state) => ({
    tables: state.storage.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .toArray()
      .map((t) => t.name),
    alarm: await state.storage.getAlarm(),
  }));

describe("an order id collection never saw", () => {
  it("answers 404 to every counter route and leaves no object behind", async () => {
    const orderId = crypto.randomUUID();
    for (const [method, path] of [
      ["GET", `/collection/orders/${orderId}`],
      ["POST", `/collection/orders/${orderId}/collected`],
    ] as const) {
      const res = await call(method, path);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(await res.json(), `${method} ${path}`).toMatchObject({ error: "not_found" });
    }
    expect(await storedBy(orderId)).toEqual({ tables: [], alarm: null });
  });

  it("stores nothing when asked directly or by its alarm", async () => {
    const orderId = crypto.randomUUID();
    const counter = env.COUNTER.getByName(orderId);
    expect(await counter.order()).toBeUndefined();
    expect(await counter.collected()).toMatchObject({ ok: false, status: 404 });
    expect(await counter.unpublishedEvents()).toBe(0);
    expect(await runDurableObjectAlarm(counter)).toBe(false);
    expect(await storedBy(orderId)).toEqual({ tables: [], alarm: null });
  });
});

describe("an order's first write at the counter", () => {
  it("creates its table when the order arrives, and the outbox and alarm when it is collected", async () => {
    const orderId = crypto.randomUUID();
    const ready = createEvent(
      "com.plantbasedpizza.order.ready-for-collection.v1",
      { orderId, customerId: "customer-42" },
      { traceparent: startTrace(), causationid: "quality-checked:test", subject: orderId },
    );
    expect((await deliver(ready)).explicitAcks).toHaveLength(1);
    expect(await storedBy(orderId)).toEqual({ tables: ["counter_order", "inbox"], alarm: null });
    expect(await env.COUNTER.getByName(orderId).order()).toMatchObject({ status: "waiting-at-counter" });

    const res = await call("POST", `/collection/orders/${orderId}/collected`);
    expect(res.status).toBe(202);
    const stored = await storedBy(orderId);
    expect(stored.tables).toEqual(expect.arrayContaining(["counter_order", "inbox", "outbox"]));
    expect(stored.alarm).not.toBeNull();
  });
});
