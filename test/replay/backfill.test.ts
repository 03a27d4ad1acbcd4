import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ReplayProgress, ReplayRequest } from "../../durable-objects/router/replay-job";
import { createEvent, publishedVersions, type AnyPizzaEvent } from "../../shared/events/envelope";
import { startTrace } from "../../shared/events/trace";
import { planReplay } from "../../workers/router/replays";
import { startLocalSystem, type LocalSystem } from "../support/miniflare-system";
import { deprecatedReadsNames } from "../../shared/consumer/deprecated-reads-shards";
import { waitFor } from "../support/wait-for";

/**
 * Backfilling a subscriber added after the events it needs: the promise "add a subscriber after orders
 * exist, replay, and its state equals that of a subscriber that was there from the start".
 *
 * Two local systems (test/support/miniflare-system.ts: the router, loyalty and the dead-letters worker,
 * from their real configs and the bundles of `npm run build`) share one R2 storage, as the router's
 * deployments share one bucket, and each has Durable Objects and queues of its own:
 *  - A: loyalty is there from the start; orders' completions go on the bus, the router archives and
 *    forwards them, loyalty awards points;
 *  - B: the same archive, and a loyalty with nothing (the subscriber added later, which never got those
 *    events). An operator's replay of the orders' time range to loyalty must bring it to A's state, and a
 *    second replay must change nothing.
 */
const COMPLETED_V1 = "com.plantbasedpizza.order.completed.v1";

/** What the tests call on the objects, as they answer (durable-objects/: Workers types, not Node's). */
type LoyaltyAccount = {
  account(): Promise<{ points: number; awards: { orderId: string; points: number }[] }>;
};
type DeprecatedReads = { reads(): Promise<{ type: string; events: number }[]> };
type Replay = { start(r: ReplayRequest): Promise<ReplayProgress>; progress(): Promise<ReplayProgress> };
const storage = mkdtempSync(join(tmpdir(), "pizza-backfill-"));
afterAll(() => rmSync(storage, { recursive: true, force: true }));

const WORKERS = ["router", "loyalty", "dead-letters"];
const start = (own: string) =>
  startLocalSystem(WORKERS, { sharedStorage: join(storage, "shared"), ownStorage: join(storage, own) });

/** Three customers' orders, completed over three hours of one morning (event time fixed, in the past). */
const run = crypto.randomUUID().slice(0, 8);
const customers = ["ada", "bo", "cy"].map((c) => `${c}-${run}`);
const ORDERS = [
  { customer: 0, pence: 2350, at: "2026-11-20T10:05:00Z" },
  { customer: 1, pence: 1199, at: "2026-11-20T10:40:00Z" },
  { customer: 0, pence: 4000, at: "2026-11-20T11:15:00Z" },
  { customer: 2, pence: 990, at: "2026-11-20T11:16:00Z" },
  { customer: 1, pence: 3125, at: "2026-11-20T11:59:59Z" },
  { customer: 0, pence: 1500, at: "2026-11-20T12:30:00Z" },
  { customer: 2, pence: 5099, at: "2026-11-20T12:45:00Z" },
];
const RANGE = { from: "2026-11-20T10:00:00Z", to: "2026-11-20T13:00:00Z" };

/** What orders publishes for each completion: v2, and v1 derived from it for those still on v1. */
const published: AnyPizzaEvent[] = ORDERS.flatMap((o) => {
  const gbp = (amount: number) => ({ amount, currency: "GBP" });
  const net = Math.round(o.pence / 1.2);
  const completed = createEvent(
    "com.plantbasedpizza.order.completed.v2",
    {
      orderId: crypto.randomUUID(),
      customerId: customers[o.customer]!,
      fulfilment: "delivery",
      total: { net: gbp(net), tax: gbp(o.pence - net), gross: gbp(o.pence) },
      completedAt: o.at,
    },
    { traceparent: startTrace(), causationid: "test" },
    new Date(o.at),
  );
  return publishedVersions(completed, new Date(o.at));
});
const completions = published.filter((e) => e.type === COMPLETED_V1);
/** The outbox publishes again after a crash between send and delete: two events reach the bus twice. */
const onTheBus = [...published, completions[1]!, completions[4]!];

/** Each customer's points and the orders that earned them (when they were awarded aside). */
async function loyaltyState(system: LocalSystem) {
  return Promise.all(
    customers.map(async (customerId) => {
      const account = await system.object<LoyaltyAccount>("loyalty", "LOYALTY_ACCOUNTS", customerId);
      const { points, awards } = await account.account();
      const earned = awards
        .map(({ orderId, points }) => ({ orderId, points }))
        .sort((a, b) => a.orderId.localeCompare(b.orderId));
      return { customerId, points, earned };
    }),
  );
}

/** How many order.completed.v1 events loyalty's consumer has handled (applied or dropped as repeats). */
async function completionsHandled(system: LocalSystem): Promise<number> {
  // Loyalty's counts are spread over several objects (shared/consumer/harness.ts): their sum.
  const shares = await Promise.all(
    deprecatedReadsNames("loyalty").map(async (name) => {
      const reads = await system.object<DeprecatedReads>("dead-letters", "DEPRECATED_READS", name);
      return (await reads.reads()).find((r) => r.type === COMPLETED_V1)?.events ?? 0;
    }),
  );
  return shares.reduce((a, b) => a + b, 0);
}

const handled = (system: LocalSystem, count: number) =>
  waitFor(
    `loyalty to have handled ${count} completions`,
    async () => ((await completionsHandled(system)) >= count ? true : undefined),
    { timeoutMs: 60_000 },
  );

/** An operator's replay of the orders' range to loyalty, as POST /ops/replays starts it; waits for its end. */
async function replayToLoyalty(system: LocalSystem): Promise<ReplayProgress> {
  const checked = planReplay({ subscriber: "loyalty", ...RANGE });
  if (!checked.ok) throw new Error(JSON.stringify(checked.issues));
  const id = crypto.randomUUID();
  const job = await system.object<Replay>("router", "ARCHIVE_REPLAYS", id);
  await job.start({ id, ...checked.plan, requestedBy: "operator-7" });
  return waitFor(
    "the replay to finish",
    async () => {
      const progress = await job.progress();
      return progress.state === "running" ? undefined : progress;
    },
    { timeoutMs: 60_000 },
  );
}

describe("a subscriber added after orders exist", () => {
  it("gets, from a replay of the archive, the state of a subscriber there from the start; a second replay changes nothing", async () => {
    // A: loyalty there from the start.
    const a = await start("system-a");
    let fromTheStart: Awaited<ReturnType<typeof loyaltyState>>;
    try {
      const bus = await a.queue("loyalty", "PIZZA_EVENTS");
      for (let i = 0; i < onTheBus.length; i += 5)
        await bus.sendBatch(onTheBus.slice(i, i + 5).map((body) => ({ body, contentType: "json" })));
      // Every completion on the bus handled, the two repeats included.
      await handled(a, completions.length + 2);
      fromTheStart = await loyaltyState(a);
    } finally {
      await a.dispose();
    }
    // As loyalty's rules say (a point per whole pound, once per order): the baseline is right.
    expect(fromTheStart.map((c) => c.points)).toEqual(
      customers.map((_, i) =>
        ORDERS.filter((o) => o.customer === i).reduce((sum, o) => sum + Math.floor(o.pence / 100), 0),
      ),
    );
    expect(fromTheStart.flatMap((c) => c.earned)).toHaveLength(ORDERS.length);

    // B: the same archive, a loyalty that has never seen any of it.
    const b = await start("system-b");
    try {
      expect((await loyaltyState(b)).map((c) => c.points)).toEqual([0, 0, 0]);

      const first = await replayToLoyalty(b);
      expect(first).toMatchObject({
        state: "done",
        hours: { read: 3, of: 3 },
        // Each completion once, though two were archived twice; v2s are not loyalty's.
        eventsSent: completions.length,
        duplicatesSkipped: 2,
        eventsNotSelected: ORDERS.length,
        requestedBy: "operator-7",
      });
      await handled(b, completions.length);
      expect(await loyaltyState(b)).toEqual(fromTheStart);

      // Again: every completion reaches loyalty a second time, and its inbox drops them all.
      const second = await replayToLoyalty(b);
      expect(second).toMatchObject({ state: "done", eventsSent: completions.length });
      await handled(b, 2 * completions.length);
      expect(await loyaltyState(b)).toEqual(fromTheStart);
    } finally {
      await b.dispose();
    }
  });
});
