import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Order } from "../../durable-objects/orders/order";
import type { Role } from "../../shared/auth/token";
import { createEvent } from "../../shared/events/envelope";
import { startTrace } from "../../shared/events/trace";
import { Timeline } from "../../workers/orders/api/timeline";
import worker from "../../workers/orders";
import { queueConsumer } from "../support/queue-batch";
import { opsCall } from "./ops-call";
import { submitCommand } from "./submit-command";

/**
 * GET /ops/orders/{orderId}/timeline: every event about an order, which context handled it, when and
 * on which delivery attempt, read from the real Order object and the other contexts' workers (their
 * bundles, over the real service bindings). Events reach orders through its real queue handler (the
 * consumer harness), so the attempts shown are the ones the harness was handed.
 */
const { deliverMessages } = queueConsumer(worker, "orders-inbox");

/** As an operator unless told otherwise; `null`: no token. */
const timelineOf = (orderId: string, role: Role | null = "operator") =>
  opsCall("GET", `/orders/${orderId}/timeline`, role ? { role } : {});

const paymentTaken = (orderId: string) =>
  createEvent(
    "com.plantbasedpizza.payment.taken.v1",
    {
      orderId,
      paymentId: `payment-${orderId}`,
      amount: { amount: 1150, currency: "GBP" },
      takenAt: new Date().toISOString(),
    },
    { traceparent: startTrace(), causationid: `take-payment-of-${orderId}`, subject: orderId },
  );

/** Delivers `event` to orders' queue handler as the queue's `attempts`th delivery of it. */
async function deliver(event: unknown, attempts: number) {
  const result = await deliverMessages([{ body: event, attempts }]);
  expect(result.explicitAcks).toHaveLength(1);
}

async function placedOrder(): Promise<string> {
  const orderId = crypto.randomUUID();
  await env.ORDERS.getByName(orderId).submit(submitCommand(orderId));
  return orderId;
}

const tablesOf = (orderId: string) =>
  runInDurableObject(env.ORDERS.getByName(orderId), (_order: Order, state) =>
    state.storage.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .toArray()
      .map((t) => t.name),
  );

describe("GET /ops/orders/{orderId}/timeline", () => {
  it("is for operators only: 401 without a token, 403 for every other role", async () => {
    const orderId = await placedOrder();
    const none = await timelineOf(orderId, null);
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ error: expect.any(String), message: expect.any(String) });
    for (const role of ["customer", "staff", "analyst"] as const) {
      const res = await timelineOf(orderId, role);
      expect(res.status, role).toBe(403);
      expect(await res.json(), role).toMatchObject({ error: "forbidden" });
    }
  });

  it("answers 400 for an order id that is not one, and 404 (storing nothing) for one nobody knows", async () => {
    const bad = await timelineOf("not-an-order");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      error: "validation_failed",
      issues: [{ field: "orderId", reason: expect.any(String) }],
    });

    const orderId = crypto.randomUUID();
    const unknown = await timelineOf(orderId);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({
      error: "not_found",
      issues: [{ field: "orderId", reason: expect.any(String) }],
    });
    expect(await tablesOf(orderId)).toEqual([]);
  });

  it("lists the order's events oldest first, who handled each on which attempt, and what caused what", async () => {
    const orderId = await placedOrder();
    const taken = paymentTaken(orderId);
    // The first two deliveries failed (as far as this order knows): the third applied it.
    await deliver(taken, 3);
    // A redelivery is a duplicate: no second handling.
    await deliver(taken, 4);

    const res = await timelineOf(orderId);
    expect(res.status).toBe(200);
    const timeline = await res.json<Timeline>();
    expect(timeline.orderId).toBe(orderId);
    // What GET /openapi.json declares it answers (a parse keeps only declared fields).
    expect(Timeline.parse(timeline)).toEqual(timeline);
    expect(timeline.unavailable).toBeUndefined();
    const types = timeline.events.map((e) => e.type);
    expect(types).toEqual([
      "com.plantbasedpizza.order.submitted.v1",
      "com.plantbasedpizza.payment.taken.v1",
      "com.plantbasedpizza.order.confirmed.v2",
    ]);
    const [submitted, payment, confirmed] = timeline.events;
    expect(submitted).toMatchObject({
      source: "/contexts/orders",
      producer: "orders",
      causationid: "submit-order:test",
      traceparent: expect.stringMatching(/^00-/),
      // Nobody's per-order object consumed it here (payments got its command, the router the event).
      handledBy: [],
    });
    expect(payment).toMatchObject({
      id: taken.id,
      source: "/contexts/payments",
      producer: "payments",
      time: taken.time,
      causationid: taken.causationid,
      traceparent: taken.traceparent,
      handledBy: [{ context: "orders", at: expect.any(String), attempts: 3, outcome: "processed" }],
    });
    expect(payment!.handledBy).toHaveLength(1);
    // Orders' reaction continues the payment's story: caused by it, on the order's own trace.
    expect(confirmed).toMatchObject({ producer: "orders", causationid: taken.id, handledBy: [] });
    expect(confirmed!.traceparent).toBe(submitted!.traceparent);
    const times = timeline.events.map((e) => Date.parse(e.time));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it("shows what an inbox kept before it had the timeline's columns, which it gains with its next event", async () => {
    const orderId = await placedOrder();
    const processedAt = new Date(Date.now() - 60_000).toISOString();
    // An inbox as every object wrote it before issue 11, with one event in it.
    await runInDurableObject(env.ORDERS.getByName(orderId), (_order: Order, state) => {
      state.storage.sql.exec(`CREATE TABLE inbox (
        source TEXT NOT NULL, id TEXT NOT NULL, type TEXT NOT NULL, processed_at TEXT NOT NULL,
        PRIMARY KEY (source, id)) WITHOUT ROWID`);
      state.storage.sql.exec(
        "INSERT INTO inbox VALUES ('/contexts/payments', 'an-old-event', 'com.plantbasedpizza.payment.taken.v1', ?)",
        processedAt,
      );
    });
    const before = await (await timelineOf(orderId)).json<Timeline>();
    expect(before.events.find((e) => e.id === "an-old-event")).toEqual({
      id: "an-old-event",
      type: "com.plantbasedpizza.payment.taken.v1",
      source: "/contexts/payments",
      producer: "payments",
      // Its own time was not kept: when it was applied stands in.
      time: processedAt,
      handledBy: [{ context: "orders", at: processedAt, attempts: null, outcome: "processed" }],
    });

    const taken = paymentTaken(orderId);
    await deliver(taken, 2);
    const after = await (await timelineOf(orderId)).json<Timeline>();
    expect(after.events.find((e) => e.id === taken.id)).toMatchObject({
      time: taken.time,
      causationid: taken.causationid,
      handledBy: [{ context: "orders", attempts: 2, outcome: "processed" }],
    });
    expect(after.events.find((e) => e.id === "an-old-event")?.handledBy).toEqual([
      { context: "orders", at: processedAt, attempts: null, outcome: "processed" },
    ]);
  });
});
