import { env } from "cloudflare:workers";
import {
  createExecutionContext,
  createMessageBatch,
  getQueueResult,
  listDurableObjectIds,
} from "cloudflare:test";
import { shardIndex } from "../../shared/bus/shards";
import { describe, expect, it } from "vitest";
import type { DailyRevenue } from "../../durable-objects/analytics/revenue-ledger";
import {
  bucketOf,
  dayLedgerName,
  DEFAULT_REVENUE_SHARDS,
  MAX_BUCKETS,
  revenueShards,
} from "../../durable-objects/analytics/revenue-shards";
import { includedTax } from "../../shared/events/catalog/money";
import { createEvent } from "../../shared/events/envelope";
import { startTrace } from "../../shared/events/trace";
import worker from "../../workers/analytics";
import { analyticsApi } from "../../workers/analytics/revenue-api";
import { exampleData } from "../support/example-events";

/**
 * Issue 10, no global hot spot: revenue is kept in ledgers by UTC day and bucket (a hash of the order id
 * modulo B), summed on read; the monthly ledgers from before the cutover still count. Through the real
 * consumer into real ledgers, read back through the analysts' API and from the ledgers themselves. Each
 * test has days (or a currency) of its own.
 */
const eras = revenueShards(env.REVENUE_SHARDS);
const cutover = eras[0]!.from;
/** B of the days these tests write to (from 2032 on, in the last era). */
const B = eras.at(-1)!.buckets;
const DAY_MS = 86_400_000;
const addDays = (day: string, n: number) => new Date(Date.parse(day) + n * DAY_MS).toISOString().slice(0, 10);

function orderConfirmed(
  day: string,
  gross: { amount: number; currency: string },
  orderId: string = crypto.randomUUID(),
) {
  const total = includedTax(gross, 2000);
  return createEvent(
    "com.plantbasedpizza.order.confirmed.v2",
    {
      ...exampleData("com.plantbasedpizza.order.confirmed.v2"),
      orderId,
      total,
      confirmedAt: `${day}T12:00:00.000Z`,
    },
    { traceparent: startTrace(), causationid: "test", subject: orderId },
  );
}
type Confirmed = ReturnType<typeof orderConfirmed>;
/** An order id that is the same every run (so is its bucket): the test's tag and the order's number. */
const fixedId = (tag: number, i: number) =>
  `${tag.toString(16).padStart(8, "0")}-0000-4000-8000-${i.toString().padStart(12, "0")}`;

/** One batch through the analytics consumer, with REVENUE_SHARDS set as given (the deployed one by default). */
async function deliver(bodies: unknown[], shards = env.REVENUE_SHARDS) {
  const batch = createMessageBatch<unknown>(
    "analytics-inbox",
    bodies.map((body) => ({ id: crypto.randomUUID(), timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, { ...env, REVENUE_SHARDS: shards }, ctx);
  const result = await getQueueResult(batch, ctx);
  expect(result.explicitAcks).toHaveLength(bodies.length);
}

async function revenue(from: string, to: string, shards = env.REVENUE_SHARDS) {
  const res = await analyticsApi.fetch(
    new Request(`https://pizza.test/analytics/revenue?from=${from}&to=${to}`),
    {
      ...env,
      REVENUE_SHARDS: shards,
      principal: { id: "ana", role: "analyst" },
    },
  );
  expect(res.status).toBe(200);
  return (await res.json<{ revenue: DailyRevenue[] }>()).revenue;
}

/** What a read should say: the written orders' totals per day and currency, each order once. */
function expectedRevenue(orders: Confirmed[]): DailyRevenue[] {
  const sums = new Map<string, DailyRevenue>();
  for (const { data } of new Map(orders.map((o) => [o.data.orderId, o])).values()) {
    const day = data.confirmedAt.slice(0, 10);
    const key = `${day} ${data.total.gross.currency}`;
    const sum = sums.get(key) ?? {
      day,
      currency: data.total.gross.currency,
      amount: 0,
      net: 0,
      tax: 0,
      orders: 0,
    };
    sum.amount += data.total.gross.amount;
    sum.net += data.total.net.amount;
    sum.tax += data.total.tax.amount;
    sum.orders += 1;
    sums.set(key, sum);
  }
  return [...sums.values()].sort((a, b) => (a.day + a.currency < b.day + b.currency ? -1 : 1));
}

/** Each bucket's rows of a day, read from its ledger directly. */
const ledgersOfDay = (day: string, buckets = B) =>
  Promise.all(
    Array.from({ length: buckets }, (_, b) => env.REVENUE.getByName(dayLedgerName(day, b)).revenue(day, day)),
  );
const indexed = (day: string) => env.REVENUE_INDEX.getByName(day.slice(0, 7)).ledgers(day, day);

describe("where an order's revenue is kept", () => {
  it("its bucket is the bus's stable shard of its id, fixed for good: another would count a redelivered order twice", () => {
    // Known answers of shardIndex (shared/bus/shards.ts), pinned: if they move, revenue moves with them.
    expect([8, 16, 27].map((b) => bucketOf("a", b))).toEqual([5, 5, 24]);
    expect([8, 16, 27].map((b) => bucketOf("foobar", b))).toEqual([3, 11, 11]);
    expect(bucketOf("3f2b8c1e-6d4a-4c7b-9a51-2e8f0d6c4b17", 8)).toBe(3);
    expect(bucketOf("3f2b8c1e-6d4a-4c7b-9a51-2e8f0d6c4b17", 8)).toBe(
      shardIndex("3f2b8c1e-6d4a-4c7b-9a51-2e8f0d6c4b17", 8),
    );
  });

  it("spreads a day's orders over its B ledgers, each listed in its month's index", async () => {
    const day = "2032-02-10";
    // Ids of its own: the same spread every run.
    const orders = Array.from({ length: 64 }, (_, i) =>
      orderConfirmed(day, { amount: 1000 + i, currency: "GBP" }, fixedId(0x5911ead, i)),
    );
    await deliver(orders);

    const byBucket = await ledgersOfDay(day);
    for (let b = 0; b < B; b++) {
      expect(byBucket[b], `bucket ${b}`).toEqual(
        expectedRevenue(orders.filter((o) => bucketOf(o.data.orderId, B) === b)),
      );
    }
    expect(byBucket.every((rows) => rows.length > 0)).toBe(true);
    expect(await indexed(day)).toEqual(Array.from({ length: B }, (_, bucket) => ({ day, bucket })));
    expect(await revenue(day, day)).toEqual(expectedRevenue(orders));
  });

  it("takes every event about one order to one ledger, which counts the order once", async () => {
    const day = "2032-02-11";
    const confirmed = orderConfirmed(day, { amount: 2300, currency: "GBP" });
    await deliver([confirmed]);
    // Redelivered, twice in one batch, and the same order under a new event id.
    await deliver([confirmed, confirmed, { ...confirmed, id: crypto.randomUUID() }]);

    const bucket = bucketOf(confirmed.data.orderId, B);
    const byBucket = await ledgersOfDay(day);
    expect(byBucket.map((rows) => rows.length)).toEqual(
      Array.from({ length: B }, (_, b) => (b === bucket ? 1 : 0)),
    );
    expect(byBucket[bucket]).toEqual(expectedRevenue([confirmed]));
    expect(await indexed(day)).toEqual([{ day, bucket }]);
  });

  it("keeps a day before the cutover in its month's ledger, late events too", async () => {
    const day = addDays(cutover, -3);
    const late = orderConfirmed(day, { amount: 4100, currency: "NOK" });
    await deliver([late]);
    expect(await env.REVENUE.getByName(day.slice(0, 7)).revenue(day, day)).toEqual(expectedRevenue([late]));
    expect(await indexed(day)).toEqual([]);
  });

  it("takes B from the era of the order's day: a new era changes B from its day on", async () => {
    const [before, since] = ["2033-05-01", "2033-05-02"];
    const shards = `${cutover}:${B},${since}:3`;
    const orders = [before, since].flatMap((day, d) =>
      Array.from({ length: 24 }, (_, i) =>
        orderConfirmed(day, { amount: 500 + i, currency: "GBP" }, fixedId(0xe7a + d, i)),
      ),
    );
    await deliver(orders, shards);
    expect(await indexed(before)).toEqual(
      Array.from({ length: B }, (_, bucket) => ({ day: before, bucket })),
    );
    expect(await indexed(since)).toEqual(Array.from({ length: 3 }, (_, bucket) => ({ day: since, bucket })));
    expect(await revenue(before, since, shards)).toEqual(expectedRevenue(orders));
  });

  it("reads REVENUE_SHARDS strictly: a malformed setting fails loudly instead of moving orders", () => {
    expect(revenueShards(undefined)).toEqual(revenueShards(DEFAULT_REVENUE_SHARDS));
    expect(revenueShards(" 2026-11-25:8 , 2027-03-01:16 ")).toEqual([
      { from: "2026-11-25", buckets: 8 },
      { from: "2027-03-01", buckets: 16 },
    ]);
    for (const bad of [
      "2026-11-25",
      "2026-13-01:8",
      "2026-02-30:8",
      "2026-11-25:0",
      `2026-11-25:${MAX_BUCKETS + 1}`,
      "2026-11-25:8,2026-11-25:16",
      "2027-01-01:8,2026-12-01:8",
    ])
      expect(() => revenueShards(bad), bad).toThrow(/REVENUE_SHARDS/);
  });
});

describe("revenue summed on read", () => {
  it("equals what was written, across days, buckets, currencies and a month's end, each order once", async () => {
    const days = ["2032-03-30", "2032-03-31", "2032-04-01"];
    const orders = days.flatMap((day, d) =>
      Array.from({ length: 20 }, (_, i) =>
        orderConfirmed(day, { amount: 700 + 37 * i + d, currency: i % 3 ? "GBP" : "EUR" }),
      ),
    );
    const duplicates = orders
      .filter((_, i) => i % 7 === 0)
      .flatMap((o) => [o, { ...o, id: crypto.randomUUID() }]);
    await deliver(orders.slice(0, 30));
    await deliver([...orders.slice(30), ...duplicates]);

    const expected = expectedRevenue(orders);
    expect(expected.map((r) => r.orders).reduce((a, b) => a + b)).toBe(60);
    expect(await revenue(days[0]!, days[2]!)).toEqual(expected);
    // The same figures, day by day and bucket by bucket, as the ledgers hold them.
    const fromLedgers = (await Promise.all(days.map((day) => ledgersOfDay(day)))).flat(2);
    const totals = (rows: DailyRevenue[]) =>
      (["amount", "net", "tax", "orders"] as const).map((k) => rows.reduce((s, r) => s + r[k], 0));
    expect(totals(fromLedgers)).toEqual(totals(expected));
  });

  it("still counts the monthly ledgers from before the cutover, beside the day ledgers since", async () => {
    // What the code before the change wrote: orders in their month's ledger (a currency of this test's own).
    const sek = (amount: number) => ({ amount, currency: "SEK" });
    const written = [
      orderConfirmed(addDays(cutover, -40), sek(1200)),
      orderConfirmed(addDays(cutover, -2), sek(3400)),
      orderConfirmed(addDays(cutover, -2), sek(5600)),
    ];
    for (const o of written) await env.REVENUE.getByName(o.data.confirmedAt.slice(0, 7)).countOrder(o);
    // Since the change: a late event about a day before the cutover, and days since.
    const since = [
      orderConfirmed(addDays(cutover, -2), sek(700)),
      orderConfirmed(cutover, sek(900)),
      orderConfirmed(cutover, sek(1100)),
      orderConfirmed(addDays(cutover, 1), sek(1300)),
    ];
    await deliver([...since, written[1]!]);

    const sekOnly = (rows: DailyRevenue[]) => rows.filter((r) => r.currency === "SEK");
    expect(sekOnly(await revenue(addDays(cutover, -40), addDays(cutover, 1)))).toEqual(
      expectedRevenue([...written, ...since]),
    );
    // A range that ends before the cutover reads the monthly ledgers only.
    const indexesBefore = (await listDurableObjectIds(env.REVENUE_INDEX)).length;
    expect(sekOnly(await revenue(addDays(cutover, -40), addDays(cutover, -1)))).toEqual(
      expectedRevenue([...written, since[0]!]),
    );
    expect(await listDurableObjectIds(env.REVENUE_INDEX)).toHaveLength(indexesBefore);
  });

  it("opens only ledgers that exist: a year with no orders reads 13 indexes and no ledger", async () => {
    const ledgersBefore = (await listDurableObjectIds(env.REVENUE)).length;
    expect(await revenue("2040-01-01", "2040-12-31")).toEqual([]);
    expect(await listDurableObjectIds(env.REVENUE)).toHaveLength(ledgersBefore);
  });
});
