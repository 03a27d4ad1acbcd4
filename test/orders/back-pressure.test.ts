import { env } from "cloudflare:workers";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { mintToken } from "../../shared/auth/token";
import { BUS, shardCount } from "../../shared/bus/shards";
import { BUS_LOAD_MAX_AGE_MS, recentBusLoad } from "../../shared/http/back-pressure";
import worker from "../../workers/orders";

/**
 * Back-pressure with real queue metrics: the orders API reads the bus's backlog, summed over its shards,
 * from the platform (`metrics()`) before it accepts an order, at most once a second per isolate. Here a
 * shard of the bus is played by a real local queue whose consumer waits a minute for its batch to fill
 * (BACKLOGGED_BUS, vitest.config.ts), so what is sent to it stays in its backlog meanwhile; the limit is
 * a setting.
 */
const backlogged = (env as unknown as { BACKLOGGED_BUS: Queue }).BACKLOGGED_BUS;

async function submitOrder(settings: Partial<Env>) {
  const token = await mintToken(env.JWT_SECRET, `busy-${crypto.randomUUID()}`, "customer");
  const ctx = createExecutionContext();
  const res = await worker.fetch!(
    new Request("https://pizza.test/orders", {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ items: [{ recipeId: "margherita", quantity: 1 }], fulfilment: "collection" }),
    }) as Request<unknown, IncomingRequestCfProperties>,
    { ...env, ...settings },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

describe("back-pressure", () => {
  it("refuses new orders with 503 and Retry-After while the bus is behind, and takes them when it is not", async () => {
    await backlogged.sendBatch(Array.from({ length: 6 }, (_, i) => ({ body: { waiting: i } })));
    const behind = { PIZZA_EVENTS: backlogged, BUS_MAX_BACKLOG: "5" };

    const refused = await submitOrder(behind);
    expect(refused.status).toBe(503);
    expect(refused.headers.get("Retry-After")).toBe("10");
    expect(await refused.json()).toMatchObject({
      error: "overloaded",
      issues: [
        { field: "orders", reason: expect.stringMatching(/event bus is behind: \d+ messages waiting/) },
      ],
    });

    // The same backlog under a limit it does not reach: the order is taken.
    expect((await submitOrder({ ...behind, BUS_MAX_BACKLOG: "1000" })).status).toBe(202);
    // And on the real bus, which the tap keeps drained.
    expect((await submitOrder({})).status).toBe(202);
  });

  it("counts the backlog of every shard of the bus, not only the first", async () => {
    // The backlogged queue as the last shard, the real (drained) ones before it.
    const last = `PIZZA_EVENTS_${shardCount(env, BUS) - 1}`;
    expect(last).not.toBe("PIZZA_EVENTS_0");
    const before = (await backlogged.metrics()).backlogCount;
    await backlogged.sendBatch(Array.from({ length: 3 }, (_, i) => ({ body: { waitingToo: i } })));
    const refused = await submitOrder({ [last]: backlogged, BUS_MAX_BACKLOG: String(before + 2) });
    expect(refused.status).toBe(503);
  });

  it("reads the backlog at most once a second in an isolate, for the same shards", async () => {
    const shards = [backlogged];
    const now = Date.now();
    const first = await recentBusLoad(shards, now);
    await backlogged.sendBatch([
      { body: { waitingAfterTheReading: 1 } },
      { body: { waitingAfterTheReading: 2 } },
    ]);
    // Within the second: the same reading, though two more wait now.
    expect(await recentBusLoad(shards, now + BUS_LOAD_MAX_AGE_MS - 1)).toEqual(first);
    // Other shards are read afresh (here the same queue twice, so summed twice).
    expect(await recentBusLoad([backlogged, backlogged], now + 1)).toEqual({
      backlog: 2 * (first!.backlog + 2),
    });
    // A second later: read again, and the two are counted.
    expect(await recentBusLoad(shards, now + BUS_LOAD_MAX_AGE_MS)).toEqual({ backlog: first!.backlog + 2 });
  });
});
