import { env, exports } from "cloudflare:workers";
import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { mintToken } from "../../shared/auth/token";
import { createEvent, type PizzaEvent } from "../../shared/events/envelope";
import { registry } from "../../shared/events/registry";
import { startTrace } from "../../shared/events/trace";
import worker from "../../workers/orders";
import { queueConsumer } from "../support/queue-batch";
import { eventsAbout, publishedEvents, publishedSettled } from "../support/queue-tap";
import { submitCommand } from "./submit-command";

/**
 * An order placed right after the customer added an address, before orders' own copy of their
 * addresses knew it (eventually consistent): accepted, asks payments for nothing until the address
 * arrives through orders' queue, then goes on as any order; cancelled if the address never comes.
 * Real Order and AddressBook objects, real queue batches, what orders sent read from the queue tap.
 */
const { deliver } = queueConsumer(worker, "orders-inbox");
const TAKE_PAYMENT = "com.plantbasedpizza.payments.take-payment.v1";
const VOID_PAYMENT = "com.plantbasedpizza.payments.void-payment.v1";

const addressAdded = (customerId: string, addressId: string) =>
  createEvent(
    "com.plantbasedpizza.customer.address-added.v1",
    { ...registry["com.plantbasedpizza.customer.address-added.v1"].example, customerId, addressId },
    { traceparent: startTrace(), causationid: "add-address:test", subject: customerId },
  );

async function placeDelivery(customerId: string, addressId: string) {
  const bearer = await mintToken(env.JWT_SECRET, customerId);
  const res = await exports.default.fetch(
    new Request("https://pizza.test/orders", {
      method: "POST",
      headers: { Authorization: `Bearer ${bearer}`, "Content-Type": "application/json" },
      body: JSON.stringify({
        items: [{ recipeId: "margherita", quantity: 1 }],
        fulfilment: "delivery",
        deliveryAddressId: addressId,
      }),
    }),
  );
  return { res, view: async () => (await env.ORDERS.getByName(await orderIdOf(res)).view(customerId))! };
}
const orderIds = new WeakMap<Response, string>();
const orderIdOf = async (res: Response) => {
  if (!orderIds.has(res)) orderIds.set(res, (await res.clone().json<{ orderId: string }>()).orderId);
  return orderIds.get(res)!;
};

const typesAbout = async (orderId: string) => (await eventsAbout(orderId)).map((e) => e.type);
const takePaymentsFor = async (orderId: string) =>
  (await eventsAbout(orderId)).filter((e) => e.type === TAKE_PAYMENT);

describe("an order placed before orders knows its new delivery address", () => {
  it("is accepted and asks for no money until the address arrives, then takes payment once", async () => {
    const customerId = `customer-${crypto.randomUUID()}`;
    const addressId = `address-${crypto.randomUUID()}`;
    const { res, view } = await placeDelivery(customerId, addressId);
    expect(res.status).toBe(202);
    expect(await res.clone().json()).toMatchObject({ status: "submitted" });
    const orderId = await orderIdOf(res);
    expect(await view()).toMatchObject({ status: "submitted", payment: { status: "awaiting-address" } });

    await publishedSettled();
    expect(await typesAbout(orderId)).toEqual(["com.plantbasedpizza.order.submitted.v1"]);

    // The address reaches orders through its queue: the book tells the waiting order.
    const added = addressAdded(customerId, addressId);
    expect((await deliver(added)).explicitAcks).toHaveLength(1);
    const [take] = await publishedEvents((e) => e.subject === orderId && e.type === TAKE_PAYMENT, 1);
    expect(take!.data).toMatchObject({ orderId, customerId, amount: { amount: 1300, currency: "GBP" } });
    // Caused by the address arriving, in the order's own trace.
    expect(take!.causationid).toBe(added.id);
    expect((await view()).payment.status).toBe("pending");
    expect(await env.ADDRESS_BOOKS.getByName(customerId).waitingFor(addressId)).toEqual([]);

    // The event again (a redelivery), and the same fact published again under a new id: nothing more.
    expect((await deliver(added, 2)).explicitAcks).toHaveLength(1);
    expect((await deliver(addressAdded(customerId, addressId))).explicitAcks).toHaveLength(1);
    // The book telling the Order again (as after an answer lost on the way back): nothing more either.
    expect(await env.ORDERS.getByName(orderId).addressKnown(addressId, added.id)).toBe("not-waiting");
    await publishedSettled();
    expect(await takePaymentsFor(orderId)).toHaveLength(1);
  });

  it("is cancelled at its address deadline when the address never arrives, with nothing to void", async () => {
    const orderId = crypto.randomUUID();
    const order = env.ORDERS.getByName(orderId);
    await order.submit(
      submitCommand(orderId, {
        fulfilment: "delivery",
        deliveryAddressId: `address-${crypto.randomUUID()}`,
        awaitAddressUntil: Date.now(),
      }),
    );
    expect(await runDurableObjectAlarm(order)).toBe(true);
    expect(await order.view("alice")).toMatchObject({
      status: "cancelled",
      cancellation: { reason: "delivery address unknown" },
      payment: { status: "not-requested" },
    });
    await publishedSettled();
    const types = await typesAbout(orderId);
    expect(types).toEqual([
      "com.plantbasedpizza.order.submitted.v1",
      "com.plantbasedpizza.order.cancelled.v1",
    ]);
    expect(types).not.toContain(TAKE_PAYMENT);
    expect(types).not.toContain(VOID_PAYMENT);
  });

  it("is not lost when the address arrives before the order is placed: the book keeps it and the event is retried", async () => {
    const customerId = `customer-${crypto.randomUUID()}`;
    const addressId = `address-${crypto.randomUUID()}`;
    const orderId = crypto.randomUUID();
    const until = Date.now() + 60_000;
    const book = env.ADDRESS_BOOKS.getByName(customerId);
    // The API registered the order with the book, and has not placed it yet.
    expect(await book.admit(addressId, orderId, until)).toBe("awaited");
    const added: PizzaEvent = addressAdded(customerId, addressId);
    const first = await deliver(added);
    expect(first.retryMessages).toHaveLength(1);
    expect(await book.waitingFor(addressId)).toEqual([orderId]);

    await env.ORDERS.getByName(orderId).submit(
      submitCommand(orderId, {
        customerId,
        fulfilment: "delivery",
        deliveryAddressId: addressId,
        awaitAddressUntil: until,
      }),
    );
    const retried = await deliver(added, 2);
    expect(retried.explicitAcks).toHaveLength(1);
    await publishedEvents((e) => e.subject === orderId && e.type === TAKE_PAYMENT, 1);
    expect(await book.waitingFor(addressId)).toEqual([]);
  });
});
