import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { LoyaltyAccount } from "../../durable-objects/loyalty/loyalty-account";
import type { Principal } from "../../shared/auth/token";
import { createEvent } from "../../shared/events/envelope";
import { startTrace } from "../../shared/events/trace";
import worker from "../../workers/loyalty";
import { loyaltyApi } from "../../workers/loyalty/loyalty-api";
import { queueConsumer } from "../support/queue-batch";

/**
 * A loyalty account is one Durable Object per customer id, the id in whatever token the caller holds:
 * a customer asking for their points before earning any must get none and store nothing (no tables,
 * no alarm), or every token's read would leave an object behind.
 */
const myLoyalty = (principal: Principal) =>
  loyaltyApi.fetch(new Request("https://pizza.test/loyalty/me"), { ...env, principal });

const { deliver } = queueConsumer(worker, "loyalty-inbox");

/**
 * What the object has stored: its tables (an empty table is stored too) and its alarm. (Not whether it
 * is listed: locally workerd makes an object's database file as soon as the object starts.)
 */
const storedBy = (customerId: string) =>
  runInDurableObject(env.LOYALTY_ACCOUNTS.getByName(customerId), async (_a: LoyaltyAccount, state) => ({
    tables: state.storage.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .toArray()
      .map((t) => t.name),
    alarm: await state.storage.getAlarm(),
  }));

describe("a customer with no points", () => {
  it("gets a balance of nothing from GET /loyalty/me and leaves no object behind", async () => {
    const customerId = `customer-${crypto.randomUUID()}`;
    const res = await myLoyalty({ id: customerId, role: "customer" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ customerId, points: 0, awards: [] });
    expect(await storedBy(customerId)).toEqual({ tables: [], alarm: null });
  });

  it("stores nothing when asked directly or by its alarm", async () => {
    const customerId = `customer-${crypto.randomUUID()}`;
    const account = env.LOYALTY_ACCOUNTS.getByName(customerId);
    expect(await account.account()).toEqual({ points: 0, awards: [] });
    expect(await account.unpublishedEvents()).toBe(0);
    expect(await runDurableObjectAlarm(account)).toBe(false);
    expect(await storedBy(customerId)).toEqual({ tables: [], alarm: null });
  });
});

describe("a customer's first points", () => {
  it("create the awards table with the award, its inbox entry, event and alarm in one write", async () => {
    const customerId = `customer-${crypto.randomUUID()}`;
    const orderId = crypto.randomUUID();
    const completed = createEvent(
      "com.plantbasedpizza.order.completed.v1",
      {
        orderId,
        customerId,
        fulfilment: "collection",
        total: { amount: 2350, currency: "GBP" },
        completedAt: new Date().toISOString(),
      },
      { traceparent: startTrace(), causationid: "test", subject: orderId },
    );
    expect((await deliver(completed)).explicitAcks).toHaveLength(1);
    const stored = await storedBy(customerId);
    expect(stored.tables).toEqual(expect.arrayContaining(["awards", "inbox", "outbox"]));
    expect(stored.alarm).not.toBeNull();
    expect(await (await myLoyalty({ id: customerId, role: "customer" })).json()).toMatchObject({
      points: 23,
      awards: [{ orderId, points: 23 }],
    });
  });
});
