import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { KitchenTicket } from "../../durable-objects/kitchen/kitchen-ticket";
import type { Principal } from "../../shared/auth/token";
import { createEvent } from "../../shared/events/envelope";
import { startTrace } from "../../shared/events/trace";
import worker from "../../workers/kitchen";
import { kitchenApi } from "../../workers/kitchen/staff-api";
import { exampleData } from "../support/example-events";
import { queueConsumer } from "../support/queue-batch";

/**
 * A ticket is one Durable Object per order id, and staff can name any id: asking about or commanding
 * one the kitchen never saw must answer 404 and store nothing (no tables, no alarm), or every guess
 * would leave an object behind.
 */
const cook: Principal = { id: "cook-1", role: "staff" };
const staff = (method: "GET" | "POST", path: string) =>
  kitchenApi.fetch(new Request(`https://pizza.test${path}`, { method }), { ...env, principal: cook });

const { deliver } = queueConsumer(worker, "kitchen-inbox");

/**
 * What the object has stored: its tables (an empty table is stored too) and its alarm. (Not whether it
 * is listed: locally workerd makes an object's database file as soon as the object starts.)
 */
const storedBy = (orderId: string) =>
  runInDurableObject(env.KITCHEN_TICKETS.getByName(orderId), async (_t: KitchenTicket, state) => ({
    tables: state.storage.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .toArray()
      .map((t) => t.name),
    alarm: await state.storage.getAlarm(),
  }));

describe("an order id the kitchen never saw", () => {
  it("answers 404 to every staff route and leaves no object behind", async () => {
    const orderId = crypto.randomUUID();
    for (const [method, path] of [
      ["GET", `/kitchen/tickets/${orderId}`],
      ["POST", `/kitchen/tickets/${orderId}/start-preparing`],
      ["POST", `/kitchen/tickets/${orderId}/pizza-baked`],
      ["POST", `/kitchen/tickets/${orderId}/quality-checked`],
    ] as const) {
      const res = await staff(method, path);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(await res.json(), `${method} ${path}`).toMatchObject({ error: "not_found" });
    }
    expect(await storedBy(orderId)).toEqual({ tables: [], alarm: null });
  });

  it("stores nothing when asked directly or by its alarm", async () => {
    const orderId = crypto.randomUUID();
    const ticket = env.KITCHEN_TICKETS.getByName(orderId);
    expect(await ticket.ticket()).toBeUndefined();
    expect(await ticket.startPreparing()).toMatchObject({ ok: false, status: 404 });
    expect(await ticket.pizzaBaked()).toMatchObject({ ok: false, status: 404 });
    expect(await ticket.qualityChecked()).toMatchObject({ ok: false, status: 404 });
    expect(await ticket.unpublishedEvents()).toBe(0);
    expect(await ticket.quarantinedEvents()).toEqual([]);
    expect(await runDurableObjectAlarm(ticket)).toBe(false);
    expect(await storedBy(orderId)).toEqual({ tables: [], alarm: null });
  });
});

describe("a ticket's first write", () => {
  it("creates the ticket's table with the confirmed order, in the transaction that applies it", async () => {
    const orderId = crypto.randomUUID();
    const confirmed = createEvent(
      "com.plantbasedpizza.order.confirmed.v2",
      { ...exampleData("com.plantbasedpizza.order.confirmed.v2"), orderId },
      { traceparent: startTrace(), causationid: "test", subject: orderId },
    );
    expect((await deliver(confirmed)).explicitAcks).toHaveLength(1);
    expect(await storedBy(orderId)).toEqual({ tables: ["inbox", "ticket"], alarm: null });
    expect(await env.KITCHEN_TICKETS.getByName(orderId).ticket()).toMatchObject({ status: "waiting" });

    const res = await staff("POST", `/kitchen/tickets/${orderId}/start-preparing`);
    expect(res.status).toBe(202);
    const stored = await storedBy(orderId);
    expect(stored.tables).toEqual(expect.arrayContaining(["inbox", "outbox", "ticket"]));
    expect(stored.alarm).not.toBeNull();
  });

  it("creates it with a withdrawal that overtook the confirmation, with its event and alarm", async () => {
    const orderId = crypto.randomUUID();
    const ticket = env.KITCHEN_TICKETS.getByName(orderId);
    const cause = { traceparent: startTrace(), causationid: "cancel-order:test" };
    expect(await ticket.withdrawBeforeStart(orderId, "cancelled by the customer", cause)).toEqual({
      ok: true,
      state: { orderId, status: "withdrawn" },
    });
    const stored = await storedBy(orderId);
    expect(stored.tables).toEqual(expect.arrayContaining(["outbox", "ticket"]));
    expect(stored.alarm).not.toBeNull();
    // A ticket withdrawn before it was opened has nothing to show staff: still 404.
    expect((await staff("GET", `/kitchen/tickets/${orderId}`)).status).toBe(404);
  });
});
