import { env, exports } from "cloudflare:workers";
import { deprecatedReadsNames } from "../../shared/consumer/deprecated-reads-shards";
import { describe, expect, it } from "vitest";
import type { DeprecatedReads } from "../../durable-objects/dead-letters/deprecated-reads";
import { mintToken, type Role } from "../../shared/auth/token";

/**
 * GET /ops/deprecations: every deprecated version with its sunset, who still subscribes to it and how
 * much each subscriber has handled, read from the real DeprecatedReads objects of the dead-letters worker.
 */
const CONFIRMED_V1 = "com.plantbasedpizza.order.confirmed.v1";
const COMPLETED_V1 = "com.plantbasedpizza.order.completed.v1";

interface Answer {
  deprecations: {
    type: string;
    since: string;
    sunset: string;
    replacedBy: string;
    migration: string;
    subscribers: {
      subscriber: string;
      subscribed: boolean;
      events: number;
      firstAt: string | null;
      lastAt: string | null;
    }[];
  }[];
}

const deprecations = async (role?: Role) => {
  const headers: Record<string, string> = role
    ? { Authorization: `Bearer ${await mintToken(env.JWT_SECRET, `${role}-1`, role)}` }
    : {};
  return exports.default.fetch(new Request("https://pizza.test/ops/deprecations", { headers }));
};
const asOperator = async () => {
  const res = await deprecations("operator");
  expect(res.status).toBe(200);
  return res.json<Answer>();
};
const subscriberOf = (answer: Answer, type: string, subscriber: string) =>
  answer.deprecations.find((d) => d.type === type)?.subscribers.find((s) => s.subscriber === subscriber);

const counters = env.DEPRECATED_READS as DurableObjectNamespace<DeprecatedReads>;

describe("GET /ops/deprecations", () => {
  it("lists every deprecated version with its sunset, and loyalty still on order completed v1", async () => {
    const { deprecations } = await asOperator();
    expect(deprecations.map((d) => d.type).sort()).toEqual([COMPLETED_V1, CONFIRMED_V1]);
    const sunsetOf = {
      since: "2026-11-24T00:00:00Z",
      sunset: "2027-03-31T00:00:00Z",
      migration: "https://plantbasedpizza.dev/rfcs/0001-order-prices-with-tax",
    };
    expect(deprecations.find((d) => d.type === CONFIRMED_V1)).toMatchObject({
      ...sunsetOf,
      replacedBy: "com.plantbasedpizza.order.confirmed.v2",
    });
    const completed = deprecations.find((d) => d.type === COMPLETED_V1);
    expect(completed).toMatchObject({ ...sunsetOf, replacedBy: "com.plantbasedpizza.order.completed.v2" });
    expect(completed!.subscribers).toContainEqual({
      subscriber: "loyalty",
      subscribed: true,
      events: expect.any(Number),
      firstAt: expect.toBeOneOf([null, expect.any(String)]),
      lastAt: expect.toBeOneOf([null, expect.any(String)]),
    });
    // Nobody subscribes to order confirmed v1 any more (kitchen, analytics, the simulated staff read v2).
    expect(
      deprecations.find((d) => d.type === CONFIRMED_V1)!.subscribers.filter((s) => s.subscribed),
    ).toEqual([]);
  });

  it("shows how much each subscriber has handled and when last, including one that has moved on", async () => {
    const before = await asOperator();
    const loyaltyBefore = subscriberOf(before, COMPLETED_V1, "loyalty")!.events;
    const kitchenBefore = subscriberOf(before, CONFIRMED_V1, "kitchen")?.events ?? 0;

    const at = new Date().toISOString();
    await counters.getByName("loyalty").count("loyalty", { [COMPLETED_V1]: 3 }, at);
    // The kitchen read order confirmed v1 before it moved to v2: 2 in the object counted before the
    // counts were spread, 3 in one of its shares since; operators see the sum.
    await counters.getByName("kitchen").count("kitchen", { [CONFIRMED_V1]: 2 }, at);
    await counters.getByName(deprecatedReadsNames("kitchen")[4]!).count("kitchen", { [CONFIRMED_V1]: 3 }, at);

    const after = await asOperator();
    expect(subscriberOf(after, COMPLETED_V1, "loyalty")).toMatchObject({
      subscribed: true,
      events: loyaltyBefore + 3,
      lastAt: expect.any(String),
    });
    expect(subscriberOf(after, COMPLETED_V1, "loyalty")!.lastAt! >= at).toBe(true);
    expect(subscriberOf(after, CONFIRMED_V1, "kitchen")).toMatchObject({
      subscribed: false,
      events: kitchenBefore + 5,
      lastAt: expect.any(String),
    });
  });

  it("is for operators: 401 without a token, 403 for a customer or staff", async () => {
    expect((await deprecations()).status).toBe(401);
    expect((await deprecations("customer")).status).toBe(403);
    expect((await deprecations("staff")).status).toBe(403);
  });
});
