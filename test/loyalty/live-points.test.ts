import { env, exports } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { LoyaltyAccount, LoyaltyAccountView } from "../../durable-objects/loyalty/loyalty-account";
import type { Principal } from "../../shared/auth/token";
import { createEvent } from "../../shared/events/envelope";
import { startTrace } from "../../shared/events/trace";
import worker from "../../workers/loyalty";
import { loyaltyApi } from "../../workers/loyalty/loyalty-api";
import { LoyaltyMessage as DeclaredLoyaltyMessage } from "../../workers/loyalty/loyalty-api-routes";
import { queueConsumer } from "../support/queue-batch";

/**
 * GET /loyalty/me/live as the gateway hands it over: an upgrade to the LoyaltyApi entrypoint's `fetch`
 * (a WebSocket cannot come back over RPC) with the principal the gateway verified. The customer's
 * LoyaltyAccount accepts a hibernating socket, sends the account at once and again when points are
 * awarded through the real consumer.
 */
const { deliver } = queueConsumer(worker, "loyalty-inbox");

type LoyaltyMessage = { type: "loyalty"; account: LoyaltyAccountView };

const fromGateway = (principal: Principal | undefined, upgrade = true) =>
  exports.LoyaltyApi.fetch(
    new Request("https://pizza.test/loyalty/me/live", {
      headers: {
        ...(upgrade ? { Upgrade: "websocket", "Sec-WebSocket-Protocol": "pizza-live.v1" } : {}),
        ...(principal ? { "X-Pizza-Principal": JSON.stringify(principal) } : {}),
      },
    }),
  );

async function openLive(customerId: string) {
  const res = await fromGateway({ id: customerId, role: "customer" });
  expect(res.status).toBe(101);
  expect(res.headers.get("Sec-WebSocket-Protocol")).toBe("pizza-live.v1");
  const ws = res.webSocket!;
  const messages: LoyaltyMessage[] = [];
  ws.addEventListener("message", (e) => messages.push(JSON.parse(e.data as string)));
  ws.accept();
  const next = async (n: number, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    while (messages.length < n) {
      if (Date.now() > deadline) throw new Error(`only ${messages.length} of ${n} messages arrived`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return messages[n - 1]!;
  };
  return { ws, messages, next };
}

const orderCompleted = (customerId: string, amount: number) => {
  const orderId = crypto.randomUUID();
  return createEvent(
    "com.plantbasedpizza.order.completed.v1",
    {
      orderId,
      customerId,
      fulfilment: "collection",
      total: { amount, currency: "GBP" },
      completedAt: new Date().toISOString(),
    },
    { traceparent: startTrace(), causationid: "test", subject: orderId },
  );
};

const storedBy = (customerId: string) =>
  runInDurableObject(env.LOYALTY_ACCOUNTS.getByName(customerId), async (_a: LoyaltyAccount, state) => ({
    tables: state.storage.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .toArray()
      .map((t) => t.name),
    alarm: await state.storage.getAlarm(),
  }));

describe("a customer's live points", { timeout: 30_000 }, () => {
  it("sends the account at once (what GET /loyalty/me answers), then again when points are awarded", async () => {
    const customerId = `customer-${crypto.randomUUID()}`;
    const live = await openLive(customerId);
    expect(await live.next(1)).toEqual({ type: "loyalty", account: { customerId, points: 0, awards: [] } });

    const completed = orderCompleted(customerId, 2350);
    expect((await deliver(completed)).explicitAcks).toHaveLength(1);
    const awarded = await live.next(2);
    expect(awarded).toEqual({
      type: "loyalty",
      account: {
        customerId,
        points: 23,
        awards: [{ orderId: completed.data.orderId, points: 23, awardedAt: expect.any(String) }],
      },
    });
    const me = await loyaltyApi.fetch(new Request("https://pizza.test/loyalty/me"), {
      ...env,
      principal: { id: customerId, role: "customer" },
    });
    expect(awarded.account).toEqual(await me.json());
    expect(DeclaredLoyaltyMessage.parse(awarded), "the message as declared").toEqual(awarded);

    // The same completion again awards nothing, and sends nothing.
    await deliver({ ...completed, id: crypto.randomUUID() });
    await deliver(orderCompleted(customerId, 1000));
    expect((await live.next(3)).account.points).toBe(33);
    expect(live.messages).toHaveLength(3);
    live.ws.close(1000, "done");
  });

  it("stores nothing for a customer with no points who opens it", async () => {
    const customerId = `customer-${crypto.randomUUID()}`;
    const live = await openLive(customerId);
    await live.next(1);
    await runInDurableObject(env.LOYALTY_ACCOUNTS.getByName(customerId), (_a: LoyaltyAccount, state) => {
      expect(state.getWebSockets(customerId)).toHaveLength(1);
    });
    expect(await runDurableObjectAlarm(env.LOYALTY_ACCOUNTS.getByName(customerId))).toBe(false);
    expect(await storedBy(customerId)).toEqual({ tables: [], alarm: null });
    live.ws.close(1000, "done");
  });

  it("is for customers: 403 to staff, 401 with no principal from the gateway, 426 to a plain GET", async () => {
    const staff = await fromGateway({ id: "cook", role: "staff" });
    expect(staff.status).toBe(403);
    expect(await staff.json()).toMatchObject({ error: "forbidden" });
    expect((await fromGateway(undefined)).status).toBe(401);
    const plain = await fromGateway({ id: "amara", role: "customer" }, false);
    expect(plain.status).toBe(426);
    expect(await plain.json()).toMatchObject({ error: "upgrade_required" });
    // The gateway's usual way in (RPC) answers a plain GET the same.
    const overRpc = await loyaltyApi.fetch(new Request("https://pizza.test/loyalty/me/live"), {
      ...env,
      principal: { id: "amara", role: "customer" },
    });
    expect(overRpc.status).toBe(426);
  });
});
