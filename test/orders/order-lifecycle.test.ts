import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Order } from "../../durable-objects/orders/order";
import { createEvent } from "../../shared/events/envelope";
import type { EventData, EventType } from "../../shared/events/registry";
import { startTrace } from "../../shared/events/trace";
import { submitCommand } from "./submit-command";

/** The order's story as its Durable Object tells it, one business event at a time. */
const orders = env.ORDERS;
const now = () => new Date().toISOString();

async function submitted(overrides: Parameters<typeof submitCommand>[1] = {}) {
  const orderId = crypto.randomUUID();
  const order = orders.getByName(orderId);
  await order.submit(submitCommand(orderId, overrides));
  const apply = <T extends EventType>(type: T, data: Omit<EventData<T>, "orderId">) =>
    order.applyEvent(
      createEvent(type, { orderId, ...data } as EventData<T>, {
        traceparent: startTrace(),
        causationid: "test",
        subject: orderId,
      }) as never,
    );
  const view = async () => (await order.view("alice"))!;
  const statuses = async () => (await view()).history.map((h) => h.status);
  const applied = async () => (await order.appliedEvents("alice"))!.map((e) => e.type);
  return { orderId, order, apply, view, statuses, applied };
}

const money = { amount: 1150, currency: "GBP" };
const paid = { paymentId: "p-1", amount: money, takenAt: now() };

describe("payment", () => {
  it("confirms the order when the payment is taken, carrying its items and its prices with tax (v2)", async () => {
    const o = await submitted();
    expect((await o.view()).payment.status).toBe("pending");
    await o.apply("com.plantbasedpizza.payment.taken.v1", paid);
    expect(await o.statuses()).toEqual(["submitted", "confirmed"]);
    expect((await o.view()).payment.status).toBe("taken");
    const events = (await o.order.appliedEvents("alice"))!;
    expect(events.find((e) => e.type === "com.plantbasedpizza.order.confirmed.v2")?.data).toMatchObject({
      items: [{ recipeId: "funghi", quantity: 1, taxRateBasisPoints: 2000 }],
      // 11.50 with 20% VAT included: 9.58 net, 1.92 tax.
      total: { net: { amount: 958, currency: "GBP" }, tax: { amount: 192, currency: "GBP" }, gross: money },
    });
    expect(events.some((e) => e.type === "com.plantbasedpizza.order.confirmed.v1")).toBe(false);
  });

  it("cancels the order with the reason when the payment fails", async () => {
    const o = await submitted();
    await o.apply("com.plantbasedpizza.payment.failed.v1", {
      paymentId: "p-1",
      reason: "card declined",
      failedAt: now(),
    });
    const view = await o.view();
    expect(view.status).toBe("cancelled");
    expect(view.cancellation).toEqual({ reason: "payment failed: card declined" });
    expect(view.payment.status).toBe("failed");
  });

  it("cancels an order whose payment does not arrive in time and voids it; a card that answered first is given back by payments", async () => {
    const o = await submitted({ paymentTimeoutSeconds: 0 });
    expect(await runDurableObjectAlarm(o.order)).toBe(true);
    expect((await o.view()).cancellation).toEqual({ reason: "payment timed out" });
    expect((await o.view()).payment.status).toBe("void-requested");
    await o.apply("com.plantbasedpizza.payment.taken.v1", paid);
    const view = await o.view();
    expect(view.status).toBe("cancelled");
    // No refund command of its own: the void already tells payments to give it back.
    expect(view.payment.status).toBe("void-requested");
    await o.apply("com.plantbasedpizza.payment.refunded.v1", {
      paymentId: "p-1",
      amount: money,
      reason: "late",
      refundedAt: now(),
    });
    expect((await o.view()).payment.status).toBe("refunded");
  });

  it("keeps waiting for the payment until the deadline", async () => {
    const o = await submitted({ paymentTimeoutSeconds: 60 });
    await runDurableObjectAlarm(o.order); // the outbox's safety-net alarm: too early for the deadline
    expect((await o.view()).status).toBe("submitted");
    await runInDurableObject(o.order, async (_o: Order, state) => {
      const alarm = await state.storage.getAlarm();
      expect(alarm).toBeGreaterThan(Date.now() + 50_000);
    });
  });
});

describe("cancelling", () => {
  it("lets the customer cancel before payment (the payment is voided), and after it with a refund", async () => {
    const unpaid = await submitted();
    expect(await unpaid.order.cancel("alice")).toEqual({
      ok: true,
      state: { orderId: unpaid.orderId, status: "cancelled" },
    });
    expect((await unpaid.view()).payment.status).toBe("void-requested");
    await unpaid.apply("com.plantbasedpizza.payment.voided.v1", {
      paymentId: "p-1",
      reason: "cancelled by the customer",
      voidedAt: now(),
    });
    expect((await unpaid.view()).payment.status).toBe("voided");

    const confirmed = await submitted();
    await confirmed.apply("com.plantbasedpizza.payment.taken.v1", paid);
    expect((await confirmed.order.cancel("alice")).ok).toBe(true);
    expect(await confirmed.statuses()).toEqual(["submitted", "confirmed", "cancelled"]);
    expect((await confirmed.view()).payment.status).toBe("refund-requested");
    // Cancelling again is the same answer, with nothing new recorded.
    const events = (await confirmed.applied()).length;
    expect((await confirmed.order.cancel("alice")).ok).toBe(true);
    expect((await confirmed.applied()).length).toBe(events);
  });

  it("refuses once the kitchen has started, and hides other customers' orders", async () => {
    const o = await submitted();
    await o.apply("com.plantbasedpizza.payment.taken.v1", paid);
    await o.apply("com.plantbasedpizza.kitchen.preparation-started.v1", { ticketId: "t", startedAt: now() });
    expect(await o.order.cancel("alice")).toEqual({
      ok: false,
      status: 409,
      reason: expect.stringMatching(/preparing/),
    });
    expect(await o.order.cancel("mallory")).toMatchObject({ ok: false, status: 404 });
    expect((await o.view()).status).toBe("preparing");
  });

  it("never moves a cancelled order on", async () => {
    const o = await submitted();
    await o.order.cancel("alice");
    await o.apply("com.plantbasedpizza.kitchen.preparation-started.v1", { ticketId: "t", startedAt: now() });
    await o.apply("com.plantbasedpizza.kitchen.quality-checked.v1", { ticketId: "t", checkedAt: now() });
    expect(await o.statuses()).toEqual(["submitted", "cancelled"]);
    expect(await o.applied()).not.toContain("com.plantbasedpizza.order.ready-for-collection.v1");
  });
});

describe("after the kitchen", () => {
  const cook = async (o: Awaited<ReturnType<typeof submitted>>) => {
    await o.apply("com.plantbasedpizza.payment.taken.v1", paid);
    await o.apply("com.plantbasedpizza.kitchen.preparation-started.v1", { ticketId: "t", startedAt: now() });
    await o.apply("com.plantbasedpizza.kitchen.pizza-baked.v1", { ticketId: "t", bakedAt: now() });
    await o.apply("com.plantbasedpizza.kitchen.quality-checked.v1", { ticketId: "t", checkedAt: now() });
  };

  it("puts a collection order on the counter, then completes it when collected", async () => {
    const o = await submitted();
    await cook(o);
    await o.apply("com.plantbasedpizza.collection.order-collected.v1", { collectedAt: now() });
    expect(await o.statuses()).toEqual([
      "submitted",
      "confirmed",
      "preparing",
      "baking",
      "quality-checked",
      "ready-for-collection",
      "completed",
    ]);
  });

  it("sends a delivery order out with the driver, and completes it when delivered", async () => {
    const o = await submitted({ fulfilment: "delivery", deliveryAddressId: "address-1" });
    await cook(o);
    expect(await o.applied()).toContain("com.plantbasedpizza.order.ready-for-delivery.v1");
    const driver = { deliveryId: "d", driverId: "driver-1" };
    await o.apply("com.plantbasedpizza.delivery.driver-assigned.v1", { ...driver, assignedAt: now() });
    await o.apply("com.plantbasedpizza.delivery.order-collected-by-driver.v1", {
      ...driver,
      collectedAt: now(),
    });
    await o.apply("com.plantbasedpizza.delivery.order-delivered.v1", { ...driver, deliveredAt: now() });
    expect(await o.statuses()).toEqual([
      "submitted",
      "confirmed",
      "preparing",
      "baking",
      "quality-checked",
      "out-for-delivery",
      "completed",
    ]);
    const completed = (await o.order.appliedEvents("alice"))!.find(
      (e) => e.type === "com.plantbasedpizza.order.completed.v2",
    );
    expect(completed?.data).toMatchObject({ customerId: "alice", total: { gross: money } });
  });

  it("does not move back when a late event arrives out of order", async () => {
    const o = await submitted();
    await o.apply("com.plantbasedpizza.payment.taken.v1", paid);
    await o.apply("com.plantbasedpizza.kitchen.pizza-baked.v1", { ticketId: "t", bakedAt: now() });
    await o.apply("com.plantbasedpizza.kitchen.preparation-started.v1", { ticketId: "t", startedAt: now() });
    expect((await o.view()).status).toBe("baking");
  });
});
