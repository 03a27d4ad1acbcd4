import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Principal } from "../../shared/auth/token";
import { createEvent } from "../../shared/events/envelope";
import { startTrace } from "../../shared/events/trace";
import worker from "../../workers/delivery";
import { deliveryApi } from "../../workers/delivery/drivers-api";
import { queueConsumer } from "../support/queue-batch";

/**
 * A delivery is one Durable Object per order id, and drivers can name any id: asking about or
 * commanding one delivery never saw must answer 404 and store nothing (no tables, no alarm), or every
 * guess would leave an object behind. Nor may looking up an address delivery has no copy of yet.
 */
const driver: Principal = { id: "driver-1", role: "staff" };
const call = (method: "GET" | "POST", path: string, body?: unknown) =>
  deliveryApi.fetch(
    new Request(`https://pizza.test${path}`, {
      method,
      ...(body !== undefined
        ? { body: JSON.stringify(body), headers: { "Content-Type": "application/json" } }
        : {}),
    }),
    { ...env, principal: driver },
  );

const { deliver } = queueConsumer(worker, "delivery-inbox");

/**
 * What the object has stored: its tables (an empty table is stored too) and its alarm. (Not whether it
 * is listed: locally workerd makes an object's database file as soon as the object starts.)
 */
const storedBy = <O extends Rpc.DurableObjectBranded>(stub: DurableObjectStub<O>) =>
  runInDurableObject(stub, async (_o, state) => ({
    tables: state.storage.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .toArray()
      .map((t) => t.name),
    alarm: await state.storage.getAlarm(),
  }));

const trace = (subject: string) => ({ traceparent: startTrace(), causationid: "test", subject });
const addressAdded = (customerId: string, addressId: string) =>
  createEvent(
    "com.plantbasedpizza.customer.address-added.v1",
    {
      customerId,
      addressId,
      line1: "1 Basil Row",
      city: "Leeds",
      postcode: "LS1 4AP",
      country: "GB",
      addedAt: new Date().toISOString(),
    },
    trace(customerId),
  );
const readyForDelivery = (customerId: string, deliveryAddressId: string) => {
  const orderId = crypto.randomUUID();
  return createEvent(
    "com.plantbasedpizza.order.ready-for-delivery.v1",
    { orderId, customerId, deliveryAddressId },
    trace(orderId),
  );
};

describe("an order id delivery never saw", () => {
  it("answers 404 to every driver route and leaves no object behind", async () => {
    const orderId = crypto.randomUUID();
    for (const [method, path, body] of [
      ["GET", `/delivery/orders/${orderId}`],
      ["POST", `/delivery/orders/${orderId}/driver`, { driverId: "driver-1" }],
      ["POST", `/delivery/orders/${orderId}/collected-by-driver`],
      ["POST", `/delivery/orders/${orderId}/delivered`],
    ] as const) {
      const res = await call(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(await res.json(), `${method} ${path}`).toMatchObject({ error: "not_found" });
    }
    expect(await storedBy(env.DELIVERIES.getByName(orderId))).toEqual({ tables: [], alarm: null });
  });

  it("stores nothing when asked directly or by its alarm", async () => {
    const orderId = crypto.randomUUID();
    const delivery = env.DELIVERIES.getByName(orderId);
    expect(await delivery.delivery()).toBeUndefined();
    expect(await delivery.assignDriver("driver-1")).toMatchObject({ ok: false, status: 404 });
    expect(await delivery.collectedByDriver()).toMatchObject({ ok: false, status: 404 });
    expect(await delivery.delivered()).toMatchObject({ ok: false, status: 404 });
    expect(await delivery.unpublishedEvents()).toBe(0);
    expect(await runDurableObjectAlarm(delivery)).toBe(false);
    expect(await storedBy(delivery)).toEqual({ tables: [], alarm: null });
  });

  it("stores nothing, in the delivery or the customer's addresses, for an order before its address", async () => {
    const customerId = `customer-${crypto.randomUUID()}`;
    const ready = readyForDelivery(customerId, "home");
    expect((await deliver(ready)).retryMessages).toHaveLength(1);
    expect(await env.DELIVERY_ADDRESSES.getByName(customerId).address("home")).toBeUndefined();
    expect(await storedBy(env.DELIVERIES.getByName(ready.data.orderId))).toEqual({ tables: [], alarm: null });
    expect(await storedBy(env.DELIVERY_ADDRESSES.getByName(customerId))).toEqual({ tables: [], alarm: null });
  });
});

describe("a delivery's first write", () => {
  it("creates the address copy's and the delivery's tables with their first rows", async () => {
    const customerId = `customer-${crypto.randomUUID()}`;
    expect((await deliver(addressAdded(customerId, "home"))).explicitAcks).toHaveLength(1);
    expect(await storedBy(env.DELIVERY_ADDRESSES.getByName(customerId))).toEqual({
      tables: ["addresses", "inbox"],
      alarm: null,
    });

    const ready = readyForDelivery(customerId, "home");
    expect((await deliver(ready)).explicitAcks).toHaveLength(1);
    const delivery = env.DELIVERIES.getByName(ready.data.orderId);
    expect(await storedBy(delivery)).toEqual({ tables: ["delivery", "inbox"], alarm: null });
    expect(await delivery.delivery()).toMatchObject({ status: "waiting-for-driver" });

    const res = await call("POST", `/delivery/orders/${ready.data.orderId}/driver`, { driverId: "driver-1" });
    expect(res.status).toBe(202);
    const stored = await storedBy(delivery);
    expect(stored.tables).toEqual(expect.arrayContaining(["delivery", "inbox", "outbox"]));
    expect(stored.alarm).not.toBeNull();
  });
});
