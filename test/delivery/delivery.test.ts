import { env, exports } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Principal } from "../../shared/auth/token";
import type { DeadLetter } from "../../shared/bus/dead-letter";
import { createEvent } from "../../shared/events/envelope";
import { startTrace } from "../../shared/events/trace";
import worker from "../../workers/delivery";
import { deliveryApi } from "../../workers/delivery/drivers-api";
import { eventsAbout, publishedEvents, tapped } from "../support/queue-tap";
import { waitFor } from "../support/wait-for";
import { queueConsumer } from "../support/queue-batch";

/**
 * Delivery with real queue batches through its consumer harness, its own Durable Objects, and the
 * drivers' API called as the gateway would (a verified principal beside the env). What it publishes
 * and dead-letters is read back from the real queues (test/support/queue-tap.ts).
 */
const driver: Principal = { id: "driver-1", role: "staff" };
const customer: Principal = { id: "customer-42", role: "customer" };

const { deliver } = queueConsumer(worker, "delivery-inbox");

function addressAdded(
  customerId: string,
  addressId: string,
  lines: { line1?: string; line2?: string; addedAt?: string } = {},
) {
  return createEvent(
    "com.plantbasedpizza.customer.address-added.v1",
    {
      customerId,
      addressId,
      line1: "1 Basil Row",
      city: "Leeds",
      postcode: "LS1 4AP",
      country: "GB",
      addedAt: new Date().toISOString(),
      ...lines,
    },
    { traceparent: startTrace(), causationid: "add-address:test", subject: customerId },
  );
}

function readyForDelivery(customerId: string, deliveryAddressId: string) {
  const orderId = crypto.randomUUID();
  return createEvent(
    "com.plantbasedpizza.order.ready-for-delivery.v1",
    { orderId, customerId, deliveryAddressId },
    {
      traceparent: startTrace(),
      causationid: "quality-checked:test",
      subject: orderId,
    },
  );
}

/** A customer with one address in delivery's copy, and their order ready for delivery (delivered to the consumer). */
async function orderWaitingForDriver() {
  const customerId = `customer-${crypto.randomUUID()}`;
  await deliver(addressAdded(customerId, "home"));
  const ready = readyForDelivery(customerId, "home");
  expect((await deliver(ready)).explicitAcks).toHaveLength(1);
  return { ready, orderId: ready.data.orderId };
}

function call(
  method: "GET" | "POST",
  path: string,
  { principal = driver, body }: { principal?: Principal; body?: unknown } = {},
) {
  const init: RequestInit = { method };
  if (body !== undefined) init.body = JSON.stringify(body);
  if (body !== undefined) init.headers = { "Content-Type": "application/json" };
  return deliveryApi.fetch(new Request(`https://pizza.test/delivery/orders/${path}`, init), {
    ...env,
    principal,
  });
}

const count = (state: DurableObjectState, table: string) =>
  state.storage.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`).one().n;

const ASSIGNED = "com.plantbasedpizza.delivery.driver-assigned.v1";
const COLLECTED = "com.plantbasedpizza.delivery.order-collected-by-driver.v1";
const DELIVERED = "com.plantbasedpizza.delivery.order-delivered.v1";

/**
 * The types of every event about the order on the bus, once `last` has arrived. The object publishes
 * its outbox in order and the queue delivers in order, so anything announced before `last` is there too.
 */
async function announcedUpTo(orderId: string, last: string): Promise<string[]> {
  await publishedEvents((e) => e.subject === orderId && e.type === last, 1);
  return (await eventsAbout(orderId)).map((e) => e.type);
}

/** The letters delivery put on its dead-letter queue for one event. */
const deadLettersFor = (eventId: string) =>
  waitFor("the dead letter", async () => {
    const letters = ((await tapped("delivery-inbox-dlq")) as DeadLetter[]).filter(
      (l) => (l.body as { id?: unknown }).id === eventId,
    );
    return letters.length > 0 ? letters : undefined;
  });

describe("delivery's copy of the addresses", () => {
  it("opens the delivery to the address from its own copy", async () => {
    const customerId = `customer-${crypto.randomUUID()}`;
    await deliver(addressAdded(customerId, "work", { line1: "9 Oregano Yard", line2: "Floor 2" }));
    await deliver(addressAdded(customerId, "home"));
    const ready = readyForDelivery(customerId, "work");
    expect((await deliver(ready)).explicitAcks).toHaveLength(1);

    const res = await call("GET", ready.data.orderId);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      deliveryId: `delivery-${ready.data.orderId}`,
      orderId: ready.data.orderId,
      customerId,
      status: "waiting-for-driver",
      address: {
        addressId: "work",
        line1: "9 Oregano Yard",
        line2: "Floor 2",
        city: "Leeds",
        postcode: "LS1 4AP",
        country: "GB",
      },
      openedAt: expect.any(String),
    });
  });

  it("retries an order that arrived before its address, and opens it once the address is there", async () => {
    const customerId = `customer-${crypto.randomUUID()}`;
    const ready = readyForDelivery(customerId, "home");

    const early = await deliver(ready, 1);
    expect(early.retryMessages).toEqual([{ msgId: expect.any(String) }]);
    expect(early.explicitAcks).toEqual([]);
    expect((await call("GET", ready.data.orderId)).status).toBe(404);

    await deliver(addressAdded(customerId, "home"));
    const retried = await deliver(ready, 2);
    expect(retried.retryMessages).toEqual([]);
    expect(retried.explicitAcks).toHaveLength(1);
    expect(await (await call("GET", ready.data.orderId)).json()).toMatchObject({
      status: "waiting-for-driver",
      address: { addressId: "home", line1: "1 Basil Row" },
    });
  });

  it("looks only in the ordering customer's addresses", async () => {
    const someoneElse = `customer-${crypto.randomUUID()}`;
    await deliver(addressAdded(someoneElse, "home"));
    const ready = readyForDelivery(`customer-${crypto.randomUUID()}`, "home");
    expect((await deliver(ready)).retryMessages).toHaveLength(1);
  });

  it("dead-letters an order whose address never came, with the reason, after the last attempt", async () => {
    const ready = readyForDelivery(`customer-${crypto.randomUUID()}`, "nowhere");
    const last = await deliver(ready, 100);
    expect(last.retryMessages).toEqual([]);
    expect(last.explicitAcks).toHaveLength(1);
    expect(await deadLettersFor(ready.id)).toEqual([
      {
        kind: "dead-letter",
        queue: "delivery-inbox",
        reason: expect.stringMatching(
          /^failed after 100 attempts over 7h 38m 31s: address nowhere of customer .* is not in delivery's copy yet$/,
        ),
        attempts: 100,
        deadLetteredAt: expect.any(String),
        body: ready,
      },
    ]);
    expect((await call("GET", ready.data.orderId)).status).toBe(404);
  });

  it("applies a redelivered address or order once", async () => {
    const customerId = `customer-${crypto.randomUUID()}`;
    const added = addressAdded(customerId, "home");
    await deliver(added);
    expect((await deliver(added, 2)).explicitAcks).toHaveLength(1);
    await runInDurableObject(env.DELIVERY_ADDRESSES.getByName(customerId), (_a: unknown, state) => {
      expect(count(state, "addresses")).toBe(1);
      expect(count(state, "inbox")).toBe(1);
    });

    const ready = readyForDelivery(customerId, "home");
    await deliver(ready);
    expect((await deliver(ready, 2)).explicitAcks).toHaveLength(1);
    await runInDurableObject(env.DELIVERIES.getByName(ready.data.orderId), (_d: unknown, state) => {
      expect(count(state, "delivery")).toBe(1);
      expect(count(state, "inbox")).toBe(1);
    });
  });

  it("keeps the newer copy of an address whose events arrive out of order", async () => {
    const customerId = `customer-${crypto.randomUUID()}`;
    const older = addressAdded(customerId, "home", {
      line1: "1 Old Lane",
      addedAt: "2026-11-23T12:00:00.000Z",
    });
    const newer = addressAdded(customerId, "home", {
      line1: "2 New Street",
      addedAt: "2026-11-23T12:05:00.000Z",
    });
    await deliver(newer);
    await deliver(older);
    expect(await env.DELIVERY_ADDRESSES.getByName(customerId).address("home")).toMatchObject({
      line1: "2 New Street",
    });
  });
});

describe("the drivers' API", () => {
  it("takes a delivery from driver to doorstep, announcing each step in the order's trace", async () => {
    const { ready, orderId } = await orderWaitingForDriver();

    const assigned = await call("POST", `${orderId}/driver`, { body: { driverId: "driver-7" } });
    expect(assigned.status).toBe(202);
    expect(await assigned.json()).toMatchObject({ status: "driver-assigned", driverId: "driver-7" });
    const collected = await call("POST", `${orderId}/collected-by-driver`);
    expect(collected.status).toBe(202);
    expect(await collected.json()).toMatchObject({ status: "out-for-delivery" });
    const delivered = await call("POST", `${orderId}/delivered`);
    expect(delivered.status).toBe(202);
    expect(await delivered.json()).toMatchObject({ status: "delivered", driverId: "driver-7" });

    await publishedEvents((e) => e.subject === orderId && e.type === DELIVERED, 1);
    const published = await eventsAbout(orderId);
    const deliveryId = `delivery-${orderId}`;
    expect(published.map((e) => [e.type, e.data])).toEqual([
      [ASSIGNED, { orderId, deliveryId, driverId: "driver-7", assignedAt: expect.any(String) }],
      [COLLECTED, { orderId, deliveryId, driverId: "driver-7", collectedAt: expect.any(String) }],
      [DELIVERED, { orderId, deliveryId, driverId: "driver-7", deliveredAt: expect.any(String) }],
    ]);
    for (const event of published) {
      expect(event).toMatchObject({
        source: "/contexts/delivery",
        subject: orderId,
        traceparent: ready.traceparent,
        causationid: ready.id,
      });
    }
  });

  it("answers a repeated step with the same state and announces nothing new", async () => {
    const { orderId } = await orderWaitingForDriver();
    await call("POST", `${orderId}/driver`, { body: { driverId: "driver-7" } });
    await call("POST", `${orderId}/collected-by-driver`);

    const again = await call("POST", `${orderId}/driver`, { body: { driverId: "driver-7" } });
    expect(again.status).toBe(202);
    expect(await again.json()).toMatchObject({ status: "out-for-delivery", driverId: "driver-7" });
    const collectedAgain = await call("POST", `${orderId}/collected-by-driver`);
    expect(collectedAgain.status).toBe(202);
    expect(await collectedAgain.json()).toMatchObject({ status: "out-for-delivery" });

    // The next step is announced after anything the repeats might have announced.
    expect((await call("POST", `${orderId}/delivered`)).status).toBe(202);
    expect(await announcedUpTo(orderId, DELIVERED)).toEqual([ASSIGNED, COLLECTED, DELIVERED]);
  });

  it("refuses a step out of order with the reason, and another driver for a taken delivery", async () => {
    const { orderId } = await orderWaitingForDriver();

    const tooEarly = await call("POST", `${orderId}/collected-by-driver`);
    expect(tooEarly.status).toBe(409);
    expect(await tooEarly.json()).toEqual({
      error: "conflict",
      message: "The delivery is waiting-for-driver; it must be driver-assigned first.",
    });
    const notCollected = await call("POST", `${orderId}/delivered`);
    expect(notCollected.status).toBe(409);

    await call("POST", `${orderId}/driver`, { body: { driverId: "driver-7" } });
    const secondDriver = await call("POST", `${orderId}/driver`, { body: { driverId: "driver-8" } });
    expect(secondDriver.status).toBe(409);
    expect(await secondDriver.json()).toMatchObject({
      error: "conflict",
      message: expect.stringContaining("driver-7"),
    });
    const stillNotCollected = await call("POST", `${orderId}/delivered`);
    expect(stillNotCollected.status).toBe(409);

    expect(await (await call("GET", orderId)).json()).toMatchObject({
      status: "driver-assigned",
      driverId: "driver-7",
    });
    // Only the assignment was announced: the next step's event comes straight after it.
    expect((await call("POST", `${orderId}/collected-by-driver`)).status).toBe(202);
    expect(await announcedUpTo(orderId, COLLECTED)).toEqual([ASSIGNED, COLLECTED]);
  });

  it("answers 400 with the field and reason for a bad driver, changing nothing", async () => {
    const { orderId } = await orderWaitingForDriver();
    for (const body of [{}, { driverId: "" }, { driverId: 7 }]) {
      const res = await call("POST", `${orderId}/driver`, { body });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({
        error: "validation_failed",
        issues: [{ field: "driverId", reason: expect.any(String) }],
      });
    }
    const notJson = await deliveryApi.fetch(
      new Request(`https://pizza.test/delivery/orders/${orderId}/driver`, {
        method: "POST",
        body: "driver-7",
      }),
      { ...env, principal: driver },
    );
    expect(notJson.status).toBe(415);
    expect(await (await call("GET", orderId)).json()).toMatchObject({ status: "waiting-for-driver" });
  });

  it("answers 404 for an unknown order or an id that cannot be one", async () => {
    const unknown = crypto.randomUUID();
    for (const [method, path] of [
      ["GET", unknown],
      ["POST", `${unknown}/collected-by-driver`],
      ["POST", `${unknown}/delivered`],
      ["GET", "not-an-order"],
      ["POST", "not-an-order/delivered"],
    ] as const) {
      const res = await call(method, path);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(await res.json()).toMatchObject({ error: "not_found" });
    }
    const assign = await call("POST", `${unknown}/driver`, { body: { driverId: "driver-7" } });
    expect(assign.status).toBe(404);
  });

  it("is for staff only: a customer gets 403 and changes nothing", async () => {
    const { orderId } = await orderWaitingForDriver();
    const look = await call("GET", orderId, { principal: customer });
    expect(look.status).toBe(403);
    const assign = await call("POST", `${orderId}/driver`, {
      principal: customer,
      body: { driverId: "customer-42" },
    });
    expect(assign.status).toBe(403);
    expect(await assign.json()).toMatchObject({ error: "forbidden" });
    expect(await (await call("GET", orderId)).json()).toMatchObject({ status: "waiting-for-driver" });
  });

  it("is the DeliveryApi entrypoint the gateway calls", async () => {
    const { orderId } = await orderWaitingForDriver();
    const res = await exports.DeliveryApi.handle(
      new Request(`https://pizza.test/delivery/orders/${orderId}`),
      driver,
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ orderId, status: "waiting-for-driver" });
  });
});
