import { env, exports } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Order, OrderView } from "../../durable-objects/orders/order";
import { mintToken, type Role } from "../../shared/auth/token";
import { createEvent } from "../../shared/events/envelope";
import { startTrace } from "../../shared/events/trace";
import { submitCommand } from "./submit-command";

/**
 * GET /orders/{orderId}/live through the real orders API and Order object: a hibernating WebSocket that
 * gets the order's view at once and after every change, for the order's own customer only.
 */
const api = (path: string, init?: RequestInit) =>
  exports.default.fetch(new Request(`https://pizza.test${path}`, init));
const tokenFor = (who: string, role: Role = "customer") => mintToken(env.JWT_SECRET, who, role);

/** What a browser sends: an upgrade offering the live protocol and the token as a subprotocol. */
const upgrade = (token?: string) => ({
  headers: {
    Upgrade: "websocket",
    "Sec-WebSocket-Protocol": ["pizza-live.v1", ...(token ? [`bearer.${token}`] : [])].join(", "),
  },
});

type OrderMessage = { type: "order"; order: OrderView };

/** Opens the socket, and collects what it is sent; `next` waits (with a deadline) for the n-th message. */
async function openLive(orderId: string, init: RequestInit) {
  const res = await api(`/orders/${orderId}/live`, init);
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  const messages: OrderMessage[] = [];
  const raw: string[] = [];
  const waiting: (() => void)[] = [];
  ws.addEventListener("message", (e) => {
    raw.push(e.data as string);
    if (e.data !== "pong") messages.push(JSON.parse(e.data as string));
    waiting.splice(0).forEach((wake) => wake());
  });
  ws.accept();
  const next = async (n: number, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    while (messages.length < n) {
      if (Date.now() > deadline) throw new Error(`only ${messages.length} of ${n} messages arrived`);
      await new Promise<void>((wake) => {
        waiting.push(wake);
        setTimeout(wake, 200);
      });
    }
    return messages[n - 1]!;
  };
  return { res, ws, messages, raw, next };
}

const paymentTaken = (orderId: string) =>
  createEvent(
    "com.plantbasedpizza.payment.taken.v1",
    {
      orderId,
      paymentId: crypto.randomUUID(),
      amount: { amount: 1150, currency: "GBP" },
      takenAt: new Date().toISOString(),
    },
    { traceparent: startTrace(), causationid: "test", subject: orderId },
  );

const storedBy = (orderId: string) =>
  runInDurableObject(env.ORDERS.getByName(orderId), async (_order: Order, state) => ({
    tables: state.storage.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .toArray()
      .map((t) => t.name),
    alarm: await state.storage.getAlarm(),
  }));

describe("an order's live status", { timeout: 30_000 }, () => {
  it("sends the view at once, then the next change, to its customer's hibernating socket", async () => {
    const orderId = crypto.randomUUID();
    const customer = `customer-${crypto.randomUUID()}`;
    const order = env.ORDERS.getByName(orderId);
    await order.submit(submitCommand(orderId, { customerId: customer }));

    const live = await openLive(orderId, upgrade(await tokenFor(customer)));
    expect(live.res.headers.get("Sec-WebSocket-Protocol")).toBe("pizza-live.v1");
    const first = await live.next(1);
    expect(first).toEqual({ type: "order", order: await order.view(customer) });
    expect(first.order.status).toBe("submitted");
    expect(first.order.story.map((s) => s.says)).toEqual(["Order placed"]);

    const taken = paymentTaken(orderId);
    expect(await order.applyEvent(taken)).toBe("processed");
    const second = await live.next(2);
    expect(second.order.status).toBe("confirmed");
    expect(second.order.story.map((s) => s.says)).toEqual([
      "Order placed",
      "Payment taken",
      "Order confirmed",
    ]);
    expect(second).toEqual({ type: "order", order: await order.view(customer) });

    // Accepted with the Hibernation API, tagged with its customer: found again after an eviction.
    await runInDurableObject(order, (_o: Order, state) => {
      expect(state.getWebSockets(customer)).toHaveLength(1);
    });

    // A cancel is a change too; a redelivered event is not, and sends nothing.
    expect(await order.applyEvent(taken)).toBe("duplicate");
    expect(await order.cancel(customer)).toMatchObject({ ok: true });
    const third = await live.next(3);
    expect(third.order.status).toBe("cancelled");
    expect(third.order.story.at(-1)?.says).toBe("Cancelled: cancelled by the customer");
    live.ws.close(1000, "done");
  });

  it("also accepts the token in an Authorization header, for clients that can send one", async () => {
    const orderId = crypto.randomUUID();
    await env.ORDERS.getByName(orderId).submit(submitCommand(orderId));
    const live = await openLive(orderId, {
      headers: { Upgrade: "websocket", Authorization: `Bearer ${await tokenFor("alice")}` },
    });
    // It offered no subprotocol, so none is named back.
    expect(live.res.headers.get("Sec-WebSocket-Protocol")).toBeNull();
    expect((await live.next(1)).order.orderId).toBe(orderId);
    live.ws.close(1000, "done");
  });

  it("answers 404 for another customer's order, as GET /orders/{id} does", async () => {
    const orderId = crypto.randomUUID();
    await env.ORDERS.getByName(orderId).submit(submitCommand(orderId));
    const res = await api(`/orders/${orderId}/live`, upgrade(await tokenFor("mallory")));
    expect(res.status).toBe(404);
    expect(res.webSocket).toBeNull();
    expect(await res.json()).toMatchObject({ error: "not_found" });
    await runInDurableObject(env.ORDERS.getByName(orderId), (_o: Order, state) => {
      expect(state.getWebSockets()).toHaveLength(0);
    });
  });

  it("answers 401 without a token, or with a bad one, and 403 to staff", async () => {
    const orderId = crypto.randomUUID();
    const none = await api(`/orders/${orderId}/live`, upgrade());
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({
      error: "unauthorized",
      issues: [{ field: "Authorization", reason: "missing" }],
    });
    const forged = await api(`/orders/${orderId}/live`, upgrade("not.a.token"));
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ issues: [{ field: "Sec-WebSocket-Protocol" }] });
    const staff = await api(`/orders/${orderId}/live`, upgrade(await tokenFor("cook", "staff")));
    expect(staff.status).toBe(403);
  });

  it("answers 426 to a plain GET", async () => {
    const orderId = crypto.randomUUID();
    await env.ORDERS.getByName(orderId).submit(submitCommand(orderId));
    const res = await api(`/orders/${orderId}/live`, {
      headers: { Authorization: `Bearer ${await tokenFor("alice")}` },
    });
    expect(res.status).toBe(426);
    expect(await res.json()).toMatchObject({ error: "upgrade_required", issues: [{ field: "Upgrade" }] });
  });

  it("stores nothing for an order nobody placed, and answers 404", async () => {
    const orderId = crypto.randomUUID();
    const res = await api(`/orders/${orderId}/live`, upgrade(await tokenFor("alice")));
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: "not_found" });
    expect(await api(`/orders/not-an-id/live`, upgrade(await tokenFor("alice")))).toHaveProperty(
      "status",
      404,
    );
    expect(await storedBy(orderId)).toEqual({ tables: [], alarm: null });
  });

  it("answers pings without the order, and sends nothing back to other input", async () => {
    const orderId = crypto.randomUUID();
    await env.ORDERS.getByName(orderId).submit(submitCommand(orderId));
    const live = await openLive(orderId, upgrade(await tokenFor("alice")));
    await live.next(1);
    const pong = new Promise((resolve) =>
      live.ws.addEventListener("message", (e) => e.data === "pong" && resolve(e.data)),
    );
    live.ws.send("hello");
    live.ws.send("ping");
    expect(await pong).toBe("pong");
    // "hello" got no answer: the pong is the only message after the view.
    expect(live.raw.slice(1)).toEqual(["pong"]);
    live.ws.close(1000, "done");
  });
});
