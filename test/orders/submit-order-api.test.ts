import { env, exports } from "cloudflare:workers";
import { listDurableObjectIds } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { mintToken } from "../../shared/auth/token";
import { createEvent } from "../../shared/events/envelope";
import { registry } from "../../shared/events/registry";
import { startTrace } from "../../shared/events/trace";
import { orderIdFor } from "../../workers/orders/submit-order";

/** The orders thin API inside workerd, against the real Order Durable Object. */
const api = (path: string, init?: RequestInit) =>
  exports.default.fetch(new Request(`https://pizza.test${path}`, init));
const token = (sub: string, role: "customer" | "staff" | "operator" | "analyst" = "customer") =>
  mintToken(env.JWT_SECRET, sub, role);
const submit = async (bearer: string, body: unknown, headers: Record<string, string> = {}) =>
  api("/orders", {
    method: "POST",
    headers: { Authorization: `Bearer ${bearer}`, "Content-Type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
const order = { items: [{ recipeId: "margherita", quantity: 1 }], fulfilment: "collection" };

describe("GET /menu", () => {
  it("lists plant-based recipes with prices in minor units", async () => {
    const res = await api("/menu");
    expect(res.status).toBe(200);
    const { recipes } = await res.json<{
      recipes: { recipeId: string; price: { amount: number; currency: string } }[];
    }>();
    expect(recipes.length).toBeGreaterThan(3);
    for (const r of recipes) {
      expect(Number.isInteger(r.price.amount)).toBe(true);
      expect(r.price.currency).toBe("GBP");
    }
  });
});

describe("POST /orders", () => {
  it("rejects bad input field by field and never touches an order object", async () => {
    const alice = await token("alice");
    const bad: [unknown, string, RegExp][] = [
      [{ fulfilment: "collection" }, "items", /expected array/i],
      [{ ...order, items: [{ recipeId: "margherita", quantity: 1.5 }] }, "items.0.quantity", /int/i],
      [
        { ...order, items: [{ recipeId: "margherita", quantity: 1, price: 1 }] },
        "items.0",
        /unrecognized key/i,
      ],
      [
        { ...order, items: [{ recipeId: "calzone", quantity: 1 }] },
        "items.0.recipeId",
        /unknown recipe 'calzone'/,
      ],
      [
        { ...order, deliveryAddressId: `address-${crypto.randomUUID()}` },
        "deliveryAddressId",
        /only allowed for delivery/,
      ],
      [{ ...order, fulfilment: "delivery" }, "deliveryAddressId", /required for delivery/],
      // An id the customers context could never have given: refused at once, not awaited.
      [
        { ...order, fulfilment: "delivery", deliveryAddressId: "addr-1" },
        "deliveryAddressId",
        /address-<uuid>/,
      ],
    ];
    for (const [body, field, reason] of bad) {
      const res = await submit(alice, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const error = await res.json<{ error: string; issues: { field: string; reason: string }[] }>();
      expect(error.error).toBe("validation_failed");
      expect(error.issues.find((i) => i.field === field)?.reason, field).toMatch(reason);
    }
    const notJson = await submit(alice, "{");
    expect(notJson.status).toBe(400);
    const wrongType = await api("/orders", {
      method: "POST",
      headers: { Authorization: `Bearer ${alice}`, "Content-Type": "text/plain" },
      body: "hi",
    });
    expect(wrongType.status).toBe(415);
    const badKey = await submit(alice, order, { "Idempotency-Key": "has spaces" });
    expect(badKey.status).toBe(400);
    expect((await badKey.json<{ issues: { field: string }[] }>()).issues[0]!.field).toBe("Idempotency-Key");
    // 512 KB for an order (catering orders reach about 400 KB); other routes stop at 32 KB.
    const tooBig = await submit(alice, { ...order, note: "x".repeat(520 * 1024) });
    expect(tooBig.status).toBe(413);

    expect(await listDurableObjectIds(env.ORDERS)).toEqual([]);
  });

  it("answers 401 without a valid token and 403 for the wrong role", async () => {
    expect((await api("/orders", { method: "POST", body: "{}" })).status).toBe(401);
    const forged = await mintToken("not-the-secret", "alice");
    const res = await submit(forged, order);
    expect(res.status).toBe(401);
    expect(res.headers.get("WWW-Authenticate")).toMatch(/^Bearer/);
    expect((await submit(await token("op", "operator"), order)).status).toBe(403);
  });

  it("prices the order from the menu and answers 202 with where to look", async () => {
    const bob = await token("bob");
    const res = await submit(bob, {
      items: [
        { recipeId: "diavola", quantity: 2 },
        { recipeId: "funghi", quantity: 1 },
      ],
      fulfilment: "collection",
    });
    expect(res.status).toBe(202);
    const { orderId, status } = await res.json<{ orderId: string; status: string }>();
    expect(status).toBe("submitted");
    expect(res.headers.get("Location")).toBe(`/orders/${orderId}`);
    const view = await (
      await api(`/orders/${orderId}`, { headers: { Authorization: `Bearer ${bob}` } })
    ).json<{ total: unknown; status: string }>();
    expect(view.total).toEqual({ amount: 2 * 1250 + 1150, currency: "GBP" });
    expect(view.status).toBe("submitted");
  });

  it("replays a repeated Idempotency-Key and keys it per customer", async () => {
    const carol = await token("carol");
    const dan = await token("dan");
    const first = await submit(carol, order, { "Idempotency-Key": "k-1" });
    const second = await submit(carol, order, { "Idempotency-Key": "k-1" });
    const dans = await submit(dan, order, { "Idempotency-Key": "k-1" });
    const firstBody = await first.json<{ orderId: string }>();
    expect(await second.json()).toEqual(firstBody);
    expect(second.headers.get("Idempotent-Replayed")).toBe("true");
    expect(firstBody.orderId).toBe(await orderIdFor("carol", "k-1"));
    expect((await dans.json<{ orderId: string }>()).orderId).not.toBe(firstBody.orderId);
    expect(
      (
        await submit(
          carol,
          { ...order, items: [{ recipeId: "diavola", quantity: 3 }] },
          { "Idempotency-Key": "k-1" },
        )
      ).status,
    ).toBe(422);
  });
});

describe("delivery orders", () => {
  it("go straight to payment to the customer's own known address, with the delivery fee; another customer's address is never one they can use", async () => {
    const addressId = `address-${crypto.randomUUID()}`;
    await env.ADDRESS_BOOKS.getByName("erin").addressAdded(
      createEvent(
        "com.plantbasedpizza.customer.address-added.v1",
        {
          ...registry["com.plantbasedpizza.customer.address-added.v1"].example,
          customerId: "erin",
          addressId,
        },
        { traceparent: startTrace(), causationid: "t" },
      ),
    );
    const delivery = { items: [{ recipeId: "margherita", quantity: 1 }], fulfilment: "delivery" };
    const erin = await token("erin");
    const own = await submit(erin, { ...delivery, deliveryAddressId: addressId });
    expect(own.status).toBe(202);
    const { orderId } = await own.json<{ orderId: string }>();
    const view = await (
      await api(`/orders/${orderId}`, { headers: { Authorization: `Bearer ${erin}` } })
    ).json<{ total: unknown; deliveryFee: unknown; payment: { status: string } }>();
    expect(view.deliveryFee).toEqual({ amount: 300, currency: "GBP" });
    expect(view.total).toEqual({ amount: 1300, currency: "GBP" });
    // Today's path, no waiting: the payment is asked for at once.
    expect(view.payment.status).toBe("pending");

    // Mallory's book never learns Erin's address: the order is accepted (it could be a new address of
    // hers on its way) but asks for no money, and waits for an address that will not come.
    const mallory = await token("mallory");
    const someoneElses = await submit(mallory, { ...delivery, deliveryAddressId: addressId });
    expect(someoneElses.status).toBe(202);
    const theirs = await someoneElses.json<{ orderId: string }>();
    const malloryView = await (
      await api(`/orders/${theirs.orderId}`, { headers: { Authorization: `Bearer ${mallory}` } })
    ).json<{ status: string; payment: { status: string } }>();
    expect(malloryView).toMatchObject({ status: "submitted", payment: { status: "awaiting-address" } });
    expect(await env.ADDRESS_BOOKS.getByName("mallory").waitingFor(addressId)).toEqual([theirs.orderId]);
    expect(await env.ADDRESS_BOOKS.getByName("erin").waitingFor(addressId)).toEqual([]);
  });
});

describe("POST /orders/:orderId/cancel", () => {
  it("cancels the customer's own order and is 404 for anyone else's", async () => {
    const fay = await token("fay");
    const { orderId } = await (await submit(fay, order)).json<{ orderId: string }>();
    const cancel = (t: string) =>
      api(`/orders/${orderId}/cancel`, { method: "POST", headers: { Authorization: `Bearer ${t}` } });
    expect((await cancel(await token("mallory"))).status).toBe(404);
    const res = await cancel(fay);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ orderId, status: "cancelled" });
  });
});

describe("the gateway", () => {
  it("authenticates once and lets each context decide who may use it", async () => {
    const get = async (path: string, t?: string) =>
      api(path, t ? { headers: { Authorization: `Bearer ${t}` } } : {});
    expect((await get("/kitchen/tickets/00000000-0000-4000-8000-000000000000")).status).toBe(401);
    expect(
      (await get("/kitchen/tickets/00000000-0000-4000-8000-000000000000", await token("gil"))).status,
    ).toBe(403);
    expect(
      (await get("/kitchen/tickets/00000000-0000-4000-8000-000000000000", await token("cook", "staff")))
        .status,
    ).toBe(404);
    expect((await get("/analytics/revenue", await token("gil"))).status).toBe(403);
    expect((await get("/analytics/revenue", await token("ana", "analyst"))).status).toBe(200);
    expect((await get("/analytics/revenue", await token("op", "operator"))).status).toBe(403);
    const loyalty = await get("/loyalty/me", await token("gil"));
    expect(loyalty.status).toBe(200);
    expect(await loyalty.json()).toMatchObject({ customerId: "gil", points: 0 });
    expect((await get("/no-such-place")).status).toBe(404);
  });
});

describe("GET /orders/:orderId", () => {
  it("is 404 for unknown orders, malformed ids and other customers' orders", async () => {
    const erin = await token("erin");
    const mallory = await token("mallory");
    const { orderId } = await (await submit(erin, order)).json<{ orderId: string }>();
    const get = (t: string, path: string) => api(path, { headers: { Authorization: `Bearer ${t}` } });
    expect((await get(erin, `/orders/${orderId}`)).status).toBe(200);
    expect((await get(mallory, `/orders/${orderId}`)).status).toBe(404);
    expect((await get(mallory, `/orders/${orderId}/events`)).status).toBe(404);
    expect((await get(erin, `/orders/${crypto.randomUUID()}`)).status).toBe(404);
    expect((await get(erin, "/orders/not-an-id")).status).toBe(404);
  });
});

describe("GET /schemas/events", () => {
  it("serves each event's JSON Schema at the path its dataschema names", async () => {
    const { events } = await (
      await api("/schemas/events")
    ).json<{ events: { type: string; dataschema: string }[] }>();
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) {
      const res = await api(new URL(e.dataschema).pathname);
      expect(res.status, e.type).toBe(200);
      expect(await res.json()).toMatchObject({ $id: e.dataschema, type: "object" });
    }
  });
});
