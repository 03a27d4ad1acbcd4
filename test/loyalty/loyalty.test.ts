import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { LoyaltyAccount, LoyaltyBalance } from "../../durable-objects/loyalty/loyalty-account";
import type { Role } from "../../shared/auth/token";
import type { DeadLetter } from "../../shared/bus/dead-letter";
import { createEvent } from "../../shared/events/envelope";
import { startTrace } from "../../shared/events/trace";
import worker from "../../workers/loyalty";
import { loyaltyApi } from "../../workers/loyalty/loyalty-api";
import { publishedEvents, tapped } from "../support/queue-tap";
import { waitFor } from "../support/wait-for";
import { queueConsumer } from "../support/queue-batch";

/**
 * Loyalty: completed orders through the real consumer, real LoyaltyAccount storage, and the API. What
 * it publishes and dead-letters is read back from the real queues (test/support/queue-tap.ts).
 */
const accounts = env.LOYALTY_ACCOUNTS;

function orderCompleted(
  customerId: string,
  total: { amount: number; currency: string },
  orderId: string = crypto.randomUUID(),
) {
  return createEvent(
    "com.plantbasedpizza.order.completed.v1",
    { orderId, customerId, fulfilment: "collection", total, completedAt: new Date().toISOString() },
    { traceparent: startTrace(), causationid: "test", subject: orderId },
  );
}

const { deliver, deliverBatch } = queueConsumer(worker, "loyalty-inbox");

const myLoyalty = (as: { id: string; role: Role }) =>
  loyaltyApi.fetch(new Request("https://pizza.test/loyalty/me"), { ...env, principal: as });
const balanceOf = async (customerId: string) =>
  (await myLoyalty({ id: customerId, role: "customer" })).json<LoyaltyBalance & { customerId: string }>();

describe("loyalty points", () => {
  it("awards one point per whole pound of a completed order, rounding down", async () => {
    const completed = orderCompleted("amara", { amount: 2350, currency: "GBP" });
    const result = await deliver(completed);
    expect(result.explicitAcks).toHaveLength(1);
    expect(result.retryMessages).toEqual([]);
    expect(await balanceOf("amara")).toEqual({
      customerId: "amara",
      points: 23,
      awards: [{ orderId: completed.data.orderId, points: 23, awardedAt: expect.any(String) }],
    });
  });

  it("counts whole units of the order's own currency (yen have no minor unit)", async () => {
    await deliver(orderCompleted("botan", { amount: 2350, currency: "JPY" }));
    await deliver(orderCompleted("botan", { amount: 1999, currency: "EUR" }));
    const { points, awards } = await balanceOf("botan");
    expect(awards.map((a) => a.points)).toEqual([2350, 19]);
    expect(points).toBe(2369);
  });

  it("rewards an order once, however often or however its completion arrives", async () => {
    const completed = orderCompleted("cyrus", { amount: 1250, currency: "GBP" });
    await deliver(completed);
    const again = await deliverBatch([completed, completed]);
    expect(again.explicitAcks).toHaveLength(2);
    // The same fact under a new event id (say, re-put on the bus by an operator) is not a new order.
    await deliver({ ...completed, id: crypto.randomUUID() });
    const { points, awards } = await balanceOf("cyrus");
    expect(points).toBe(12);
    expect(awards).toHaveLength(1);
    await runInDurableObject(accounts.getByName("cyrus"), (_account: LoyaltyAccount, state) => {
      expect(state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM inbox").one().n).toBe(2);
    });
  });

  it("announces the points and the new balance, in the order's trace, caused by its completion", async () => {
    const stub = accounts.getByName("dara");
    await deliver(orderCompleted("dara", { amount: 1000, currency: "GBP" }));
    const completed = orderCompleted("dara", { amount: 3099, currency: "GBP" });
    expect(await stub.awardPoints(completed)).toBe("processed");
    const [awarded] = await publishedEvents((e) => e.causationid === completed.id, 1);
    expect(awarded).toMatchObject({
      type: "com.plantbasedpizza.loyalty.points-awarded.v1",
      source: "/contexts/loyalty",
      subject: "dara",
      traceparent: completed.traceparent,
      causationid: completed.id,
      data: { customerId: "dara", orderId: completed.data.orderId, points: 30, balance: 40 },
    });
    await runDurableObjectAlarm(stub);
    expect(await stub.unpublishedEvents()).toBe(0);
  });

  it("dead-letters an event loyalty does not subscribe to instead of applying it", async () => {
    const orderId = crypto.randomUUID();
    const submitted = createEvent(
      "com.plantbasedpizza.order.submitted.v1",
      {
        orderId,
        customerId: "ezra",
        fulfilment: "collection",
        total: { amount: 5000, currency: "GBP" },
        submittedAt: new Date().toISOString(),
      },
      { traceparent: startTrace(), causationid: "test", subject: orderId },
    );
    const result = await deliver(submitted);
    expect(result.explicitAcks).toHaveLength(1);
    const letters = await waitFor("the dead letter", async () => {
      const found = ((await tapped("loyalty-inbox-dlq")) as DeadLetter[]).filter(
        (l) => (l.body as { id?: unknown }).id === submitted.id,
      );
      return found.length > 0 ? found : undefined;
    });
    expect(letters).toEqual([
      {
        kind: "dead-letter",
        queue: "loyalty-inbox",
        reason: "loyalty does not subscribe to com.plantbasedpizza.order.submitted.v1",
        attempts: 1,
        deadLetteredAt: expect.any(String),
        body: submitted,
      },
    ]);
    expect((await balanceOf("ezra")).points).toBe(0);
  });
});

describe("GET /loyalty/me", () => {
  it("starts a new customer at no points and no awards", async () => {
    const res = await myLoyalty({ id: "fern", role: "customer" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ customerId: "fern", points: 0, awards: [] });
  });

  it("shows only the caller's own points", async () => {
    await deliver(orderCompleted("gil", { amount: 4200, currency: "GBP" }));
    expect((await balanceOf("gil")).points).toBe(42);
    expect((await balanceOf("hana")).points).toBe(0);
  });

  it("is for customers only", async () => {
    for (const role of ["staff", "operator"] as const) {
      expect((await myLoyalty({ id: "gil", role })).status, role).toBe(403);
    }
  });
});
