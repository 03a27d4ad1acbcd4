import { env } from "cloudflare:workers";
import { listDurableObjectIds } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { DailyRevenue } from "../../durable-objects/analytics/revenue-ledger";
import type { Role } from "../../shared/auth/token";
import { includedTax } from "../../shared/events/catalog/money";
import { createEvent } from "../../shared/events/envelope";
import { startTrace } from "../../shared/events/trace";
import worker from "../../workers/analytics";
import { analyticsApi } from "../../workers/analytics/revenue-api";
import { exampleData } from "../support/example-events";
import { queueConsumer } from "../support/queue-batch";

/**
 * Analytics: confirmed orders through the real consumer into real month ledgers, read back through
 * the analysts' API. Each test uses its own dates, so tests never count each other's orders.
 */
function orderConfirmed(
  confirmedAt: string,
  gross: { amount: number; currency: string },
  taxRateBasisPoints = 2000,
  orderId: string = crypto.randomUUID(),
) {
  const total = includedTax(gross, taxRateBasisPoints);
  return createEvent(
    "com.plantbasedpizza.order.confirmed.v2",
    { ...exampleData("com.plantbasedpizza.order.confirmed.v2"), orderId, total, confirmedAt },
    { traceparent: startTrace(), causationid: "test", subject: orderId },
  );
}

const { deliver, deliverBatch } = queueConsumer(worker, "analytics-inbox");

const analyst = { id: "ana", role: "analyst" as const };
const revenueCall = (query: string, as: { id: string; role: Role } = analyst) =>
  analyticsApi.fetch(new Request(`https://pizza.test/analytics/revenue${query}`), { ...env, principal: as });
const revenue = async (query: string) =>
  (await revenueCall(query)).json<{ from: string; to: string; revenue: DailyRevenue[] }>();
const gbp = (amount: number) => ({ amount, currency: "GBP" });

describe("revenue per day and currency", () => {
  it("sums confirmed orders by UTC day and currency, sorted by day then currency", async () => {
    const result = await deliverBatch([
      orderConfirmed("2030-03-05T09:00:00.000Z", gbp(2300)),
      orderConfirmed("2030-03-05T23:59:59.999Z", gbp(1150)),
      orderConfirmed("2030-03-05T12:00:00.000Z", { amount: 2800, currency: "EUR" }, 1900),
      orderConfirmed("2030-03-04T00:00:00.000Z", gbp(1000)),
      orderConfirmed("2030-03-06T00:00:00.000Z", gbp(999)),
    ]);
    expect(result.explicitAcks).toHaveLength(5);
    expect(await revenue("?from=2030-03-04&to=2030-03-05")).toEqual({
      from: "2030-03-04",
      to: "2030-03-05",
      revenue: [
        // Each country's own VAT: 20% in GBP, 19% in EUR; net and tax are the sums of each order's.
        { day: "2030-03-04", currency: "GBP", amount: 1000, net: 833, tax: 167, orders: 1 },
        { day: "2030-03-05", currency: "EUR", amount: 2800, net: 2353, tax: 447, orders: 1 },
        { day: "2030-03-05", currency: "GBP", amount: 3450, net: 2875, tax: 575, orders: 2 },
      ],
    });
  });

  it("counts an order once, however often or however its confirmation arrives", async () => {
    const confirmed = orderConfirmed("2030-04-10T10:00:00.000Z", gbp(2300));
    await deliver(confirmed);
    const again = await deliverBatch([confirmed, confirmed]);
    expect(again.explicitAcks).toHaveLength(2);
    // The same order under a new event id is still one order.
    await deliver({ ...confirmed, id: crypto.randomUUID() });
    expect((await revenue("?from=2030-04-10&to=2030-04-10")).revenue).toEqual([
      { day: "2030-04-10", currency: "GBP", amount: 2300, net: 1917, tax: 383, orders: 1 },
    ]);
  });

  it("reads every month's ledger the range touches, across a new year", async () => {
    await deliverBatch([
      orderConfirmed("2030-11-30T18:00:00.000Z", gbp(500)),
      orderConfirmed("2030-12-31T18:00:00.000Z", gbp(1000)),
      orderConfirmed("2031-01-01T01:00:00.000Z", gbp(2000)),
      orderConfirmed("2031-02-01T01:00:00.000Z", gbp(4000)),
    ]);
    const { revenue: days } = await revenue("?from=2030-12-01&to=2031-01-31");
    expect(days.map((d) => [d.day, d.amount])).toEqual([
      ["2030-12-31", 1000],
      ["2031-01-01", 2000],
    ]);
  });

  it("defaults to today, UTC", async () => {
    const today = new Date().toISOString().slice(0, 10);
    await deliver(orderConfirmed(new Date().toISOString(), { amount: 777, currency: "CHF" }, 810));
    const answer = await revenue("");
    expect(answer.from).toBe(today);
    expect(answer.to).toBe(today);
    expect(answer.revenue).toContainEqual({
      day: today,
      currency: "CHF",
      amount: 777,
      net: 719,
      tax: 58,
      orders: 1,
    });
  });
});

describe("GET /analytics/revenue", () => {
  it("rejects a bad range field by field, without opening any ledger", async () => {
    const bad: [string, string, RegExp][] = [
      ["?from=2030-02-30&to=2030-03-01", "from", /YYYY-MM-DD/],
      ["?from=yesterday", "from", /YYYY-MM-DD/],
      ["?from=2030-01-01&to=2030-1-2", "to", /YYYY-MM-DD/],
      ["?from=2030-03-02&to=2030-03-01", "to", /not be before from/],
      ["?from=2027-01-01&to=2028-01-02", "to", /at most 366 days/],
    ];
    // Storage is shared by the tests of a file, so compare with the ledgers that already exist.
    const ledgersBefore = (await listDurableObjectIds(env.REVENUE)).length;
    for (const [query, field, reason] of bad) {
      const res = await revenueCall(query);
      expect(res.status, query).toBe(400);
      const error = await res.json<{ error: string; issues: { field: string; reason: string }[] }>();
      expect(error.error).toBe("validation_failed");
      expect(error.issues.find((i) => i.field === field)?.reason, query).toMatch(reason);
    }
    expect(await listDurableObjectIds(env.REVENUE)).toHaveLength(ledgersBefore);
  });

  it("accepts a range of exactly 366 days", async () => {
    const res = await revenueCall("?from=2027-01-01&to=2028-01-01");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ from: "2027-01-01", to: "2028-01-01", revenue: [] });
  });

  it("is for analysts only: operators run the system, they do not read the figures", async () => {
    for (const role of ["customer", "staff", "operator"] as const) {
      expect((await revenueCall("?from=2030-03-04&to=2030-03-05", { id: "nosy", role })).status, role).toBe(
        403,
      );
    }
  });
});
