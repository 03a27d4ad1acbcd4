import { env, exports } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { CounterCollection } from "../../durable-objects/collection/counter-collection";
import type { Principal } from "../../shared/auth/token";
import { createEvent } from "../../shared/events/envelope";
import { startTrace } from "../../shared/events/trace";
import worker from "../../workers/collection";
import { collectionApi } from "../../workers/collection/counter-api";
import { eventsAbout, publishedSettled } from "../support/queue-tap";
import { queueConsumer } from "../support/queue-batch";

/**
 * Collection with real queue batches through its consumer harness, its own Durable Objects, and the
 * counter staff's API called as the gateway would (a verified principal beside the env). What it
 * publishes is read back from the real bus (test/support/queue-tap.ts).
 */
const counterStaff: Principal = { id: "counter-1", role: "staff" };
const customer: Principal = { id: "customer-42", role: "customer" };

const { deliver } = queueConsumer(worker, "collection-inbox");

function readyForCollection() {
  const orderId = crypto.randomUUID();
  return createEvent(
    "com.plantbasedpizza.order.ready-for-collection.v1",
    { orderId, customerId: "customer-42" },
    {
      traceparent: startTrace(),
      causationid: "quality-checked:test",
      subject: orderId,
    },
  );
}

function call(method: "GET" | "POST", path: string, principal: Principal = counterStaff) {
  return collectionApi.fetch(new Request(`https://pizza.test/collection/orders/${path}`, { method }), {
    ...env,
    principal,
  });
}

/** An order waiting at the counter. */
async function orderAtCounter() {
  const ready = readyForCollection();
  expect((await deliver(ready)).explicitAcks).toHaveLength(1);
  return { ready, orderId: ready.data.orderId, stub: env.COUNTER.getByName(ready.data.orderId) };
}

/**
 * Everything the object published so far has reached the tap: its outbox is empty (the queue accepted
 * every event), and a marker sent to every bus shard after that has arrived (a queue delivers in order).
 */
async function busSettled(stub: DurableObjectStub<CounterCollection>) {
  await runDurableObjectAlarm(stub);
  expect(await stub.unpublishedEvents()).toBe(0);
  await publishedSettled();
}

describe("the counter", () => {
  it("puts an order ready for collection on the counter", async () => {
    const { orderId } = await orderAtCounter();
    const res = await call("GET", orderId);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      orderId,
      customerId: "customer-42",
      status: "waiting-at-counter",
      readyAt: expect.any(String),
    });
  });

  it("hands the order over once, announcing it in the order's trace; a repeat is 202 with nothing new", async () => {
    const { ready, orderId, stub } = await orderAtCounter();

    const collected = await call("POST", `${orderId}/collected`);
    expect(collected.status).toBe(202);
    const state = await collected.json<{ status: string; collectedAt: string }>();
    expect(state).toMatchObject({ orderId, status: "collected", collectedAt: expect.any(String) });
    const again = await call("POST", `${orderId}/collected`);
    expect(again.status).toBe(202);
    expect(await again.json()).toEqual(state);

    await busSettled(stub);
    const published = await eventsAbout(orderId);
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({
      type: "com.plantbasedpizza.collection.order-collected.v1",
      source: "/contexts/collection",
      subject: orderId,
      traceparent: ready.traceparent,
      causationid: ready.id,
      data: { orderId, collectedAt: state.collectedAt },
    });
  });

  it("applies a redelivered ready-for-collection once", async () => {
    const ready = readyForCollection();
    await deliver(ready);
    await env.COUNTER.getByName(ready.data.orderId).collected();
    const again = await deliver(ready, 2);
    expect(again.explicitAcks).toHaveLength(1);
    await runInDurableObject(env.COUNTER.getByName(ready.data.orderId), (_c: unknown, state) => {
      expect(state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM inbox").one().n).toBe(1);
      expect(state.storage.sql.exec("SELECT status FROM counter_order").toArray()).toEqual([
        { status: "collected" },
      ]);
    });
  });

  it("answers 404 for an unknown order or an id that cannot be one", async () => {
    for (const [method, path] of [
      ["GET", crypto.randomUUID()],
      ["POST", `${crypto.randomUUID()}/collected`],
      ["GET", "not-an-order"],
      ["POST", "not-an-order/collected"],
    ] as const) {
      const res = await call(method, path);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(await res.json()).toMatchObject({ error: "not_found" });
    }
  });

  it("is for staff only: a customer gets 403 and changes nothing", async () => {
    const { orderId } = await orderAtCounter();
    expect((await call("GET", orderId, customer)).status).toBe(403);
    const collect = await call("POST", `${orderId}/collected`, customer);
    expect(collect.status).toBe(403);
    expect(await collect.json()).toMatchObject({ error: "forbidden" });
    expect(await (await call("GET", orderId)).json()).toMatchObject({ status: "waiting-at-counter" });
  });

  it("is the CollectionApi entrypoint the gateway calls", async () => {
    const { orderId } = await orderAtCounter();
    const res = await exports.CollectionApi.handle(
      new Request(`https://pizza.test/collection/orders/${orderId}`),
      counterStaff,
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ orderId, status: "waiting-at-counter" });
  });
});
