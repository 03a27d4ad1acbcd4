import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { mintToken, type Role } from "../../shared/auth/token";
import { BUS, shardCount, shardsOf } from "../../shared/bus/shards";
import { backlogOf } from "../../workers/router/queue-metrics";
import { subscriptions } from "../../workers/router/routing-table";

/**
 * GET /ops/queues: every queue's backlog from the platform's queue metrics, every shard of the bus read by
 * orders and the subscribers' queues by the router (its QueueMetrics entrypoint, a real service binding
 * to the router's bundle here).
 */
async function get(role?: Role) {
  const headers: Record<string, string> = role
    ? { Authorization: `Bearer ${await mintToken(env.JWT_SECRET, `${role}-q`, role)}` }
    : {};
  return exports.default.fetch(new Request("https://pizza.test/ops/queues", { headers }));
}

describe("GET /ops/queues", () => {
  it("lists every shard of the bus and every subscriber's queue with its backlog, as the runtime measures it", async () => {
    const res = await get("operator");
    expect(res.status).toBe(200);
    const { queues } = await res.json<{ queues: Record<string, unknown>[] }>();
    // Every shard of the bus (as many as orders binds: three here, as in npm run dev), then each subscriber's.
    expect(shardCount(env, BUS)).toBeGreaterThanOrEqual(3);
    expect(queues.map((q) => [q.queue, q.subscriber])).toEqual([
      ...shardsOf(BUS, shardCount(env, BUS)).map((shard) => [shard.queue, "router"]),
      ...subscriptions.map((s) => [s.queue, s.subscriber]),
    ]);
    for (const q of queues) {
      expect(q, `${String(q.queue)} has metrics`).not.toHaveProperty("error");
      expect(q.backlog).toEqual(expect.any(Number));
    }
  });

  it("counts what waits and how long the oldest has waited", async () => {
    // A queue whose consumer waits a minute for its batch to fill (vitest.config.ts): what is sent stays.
    const waiting = (env as unknown as { WAITING_QUEUE: Queue }).WAITING_QUEUE;
    const before = await backlogOf(waiting, { queue: "waiting-queue", subscriber: "test" });
    await waiting.sendBatch([{ body: { n: 1 } }, { body: { n: 2 } }, { body: { n: 3 } }]);
    const after = await backlogOf(
      waiting,
      { queue: "waiting-queue", subscriber: "test" },
      Date.now() + 5_000,
    );
    expect(after.backlog).toBe((before.backlog ?? 0) + 3);
    expect(after.oldestMessageAgeSeconds).toBeGreaterThanOrEqual(5);
  });

  it("is for operators only", async () => {
    expect((await get()).status).toBe(401);
    for (const role of ["customer", "staff", "analyst"] as const) expect((await get(role)).status).toBe(403);
  });
});
