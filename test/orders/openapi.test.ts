import { env, exports } from "cloudflare:workers";
import { runDurableObjectAlarm } from "cloudflare:test";
import type { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { mintToken } from "../../shared/auth/token";
import { createEvent } from "../../shared/events/envelope";
import { startTrace } from "../../shared/events/trace";
import { api } from "../../workers/orders/api";
import { OrderMessage } from "../../workers/orders/api/live";
import { OrderView } from "../../workers/orders/api/orders";
import { waitFor } from "../support/wait-for";
import { submitCommand } from "./submit-command";

/**
 * The HTTP contract (GET /openapi.json) against what the public origin really serves: every route the
 * orders app registers, and every route of each context API its gateway forwards to, is in the
 * document with the same method and path, and the document names no route that is not served. The
 * document is generated from the route declarations, so this catches a route added without one.
 * (Its validity as OpenAPI 3.1 is checked in test/e2e/openapi.test.ts, with @readme/openapi-parser.)
 */
const get = (path: string) => exports.default.fetch(new Request(`https://pizza.test${path}`));

// The context APIs, as each context's worker serves them. Found by pattern rather than imported by
// name: each is written against its own worker's bindings (its own Env), which this project's types
// do not know, and so that a context API added later is checked without changing this file.
const contextModules = import.meta.glob<Record<string, unknown>>("../../workers/*/*-api.ts", { eager: true });
const contextApps = Object.entries(contextModules).flatMap(([file, module]) =>
  Object.values(module)
    .filter((value): value is Hono => typeof value === "object" && value !== null && "routes" in value)
    .map((app) => ({ file, app })),
);

/** `GET /orders/{orderId}` for each handler route of an app: not middleware (`use`, `all`), Hono `:id` as `{id}`. */
function servedRoutes(app: Hono<any, any, any>): string[] {
  return app.routes
    .filter((r) => r.method !== "ALL")
    .map((r) => `${r.method} ${r.path.replace(/:([\w-]+)(\{[^/]*\})?/g, "{$1}")}`);
}

type Document = {
  openapi: string;
  paths: Record<string, Record<string, { responses: object; tags?: string[] }>>;
};

function documentedRoutes(document: Document): string[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((k) => ["get", "post", "put", "patch", "delete"].includes(k))
      .map((method) => `${method.toUpperCase()} ${path}`),
  );
}

describe("GET /openapi.json", () => {
  it("is an OpenAPI 3.1 document of exactly the routes the origin serves, the context APIs' too", async () => {
    const res = await get("/openapi.json");
    expect(res.status).toBe(200);
    const document = await res.json<Document>();
    expect(document.openapi).toMatch(/^3\.1\./);

    // The staff boards' apps are mounted in their context's API; listed here as the rest, on their own.
    expect(contextApps.map((c) => c.file).sort()).toEqual([
      "../../workers/analytics/revenue-api.ts",
      "../../workers/collection/board-api.ts",
      "../../workers/collection/counter-api.ts",
      "../../workers/customers/addresses-api.ts",
      "../../workers/delivery/board-api.ts",
      "../../workers/delivery/drivers-api.ts",
      "../../workers/kitchen/board-api.ts",
      "../../workers/kitchen/staff-api.ts",
      "../../workers/loyalty/loyalty-api.ts",
    ]);
    const served = new Set([...servedRoutes(api), ...contextApps.flatMap(({ app }) => servedRoutes(app))]);
    const documented = new Set(documentedRoutes(document));
    expect(
      [...served].filter((r) => !documented.has(r)),
      "served but not in the document",
    ).toEqual([]);
    expect(
      [...documented].filter((r) => !served.has(r)),
      "in the document but not served",
    ).toEqual([]);
    // Sanity: both sides are the whole API, not two empty sets.
    for (const route of [
      "POST /orders",
      "GET /orders/{orderId}",
      "GET /schemas/events/{file}",
      "POST /ops/dead-letters/redrive",
      "POST /kitchen/tickets/{orderId}/start-preparing",
      "GET /analytics/revenue",
      "GET /openapi.json",
      "GET /orders/{orderId}/live",
      "GET /loyalty/me/live",
      "GET /kitchen/tickets",
      "GET /delivery/orders/live",
      "GET /ops/orders/{orderId}/timeline",
      "GET /api",
    ])
      expect(documented, route).toContain(route);
    // This build is not a local one (shared/local-life.ts), as a deploy's: no /dev route, so no demo
    // sign-in, in its document (a local build's shows it: test/e2e/openapi.test.ts).
    expect([...documented].filter((r) => r.includes(" /dev/"))).toEqual([]);
  });

  it("gives every route its error responses in the one error shape, and its roles", async () => {
    const document = await (await get("/openapi.json")).json<Document & Record<string, any>>();
    for (const [path, item] of Object.entries(document.paths))
      for (const [method, op] of Object.entries(item) as [string, any][]) {
        const where = `${method.toUpperCase()} ${path}`;
        expect(op.responses["429"], where).toBeDefined();
        const roles: string[] | undefined = op["x-roles"];
        if (roles) {
          expect(op.security, where).toEqual([{ bearer: [] }]);
          expect(Object.keys(op.responses), where).toEqual(expect.arrayContaining(["401", "403"]));
        }
        for (const [status, response] of Object.entries(op.responses) as [string, any][])
          if (Number(status) >= 400)
            expect(response.content["application/json"].schema, `${where} ${status}`).toEqual({
              $ref: "#/components/schemas/Error",
            });
      }
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: "http", scheme: "bearer" });
    const submit = document.paths["/orders"]!.post as any;
    expect(submit["x-roles"]).toEqual(["customer"]);
    expect(Object.keys(submit.responses).sort()).toEqual(
      ["202", "400", "401", "403", "413", "415", "422", "429", "503"].sort(),
    );
    expect(submit.requestBody.content["application/json"].schema.properties.items.maxItems).toBe(500);
  });
});

describe("GET /reference", () => {
  it("is a page people can read: the routes by tag with their roles, and no script", async () => {
    const res = await get("/reference");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
    const csp = res.headers.get("Content-Security-Policy")!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain("script-src");
    const html = await res.text();
    expect(html).not.toContain("<script");
    for (const tag of ["Orders", "Kitchen", "Operations"]) expect(html).toContain(`<h2>${tag}</h2>`);
    for (const [method, path] of <const>[
      ["POST", "/orders"],
      ["GET", "/orders/{orderId}"],
      ["POST", "/customers/me/addresses"],
      ["POST", "/delivery/orders/{orderId}/driver"],
      ["GET", "/ops/dead-letters"],
    ])
      expect(html).toMatch(new RegExp(`${method}</span> <code>${path.replace(/[{}]/g, "\\$&")}</code>`));
    expect(html).toContain("role <b>staff</b>");
    expect(html).toContain("<code>deliveryAddressId</code>");
  });
});

describe("what the orders API answers", () => {
  /**
   * The declared schemas against real answers: zod's parse keeps only what is declared, so a parse
   * equal to the answer means no field undeclared, none missing, none of another shape. (The types
   * are tied too: `Declares` in orders.ts.)
   */
  it("is what it declares: GET /orders/{orderId} and its live messages, whatever the payment's status", async () => {
    const customer = `customer-${crypto.randomUUID()}`;
    const token = await mintToken(env.JWT_SECRET, customer, "customer");
    const delivery = (awaitAddressUntil: number) => ({
      customerId: customer,
      fulfilment: "delivery" as const,
      deliveryAddressId: `address-${crypto.randomUUID()}`,
      awaitAddressUntil,
    });
    const [confirmed, waiting, neverAsked] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    await env.ORDERS.getByName(confirmed).submit(submitCommand(confirmed, { customerId: customer }));
    const taken = createEvent(
      "com.plantbasedpizza.payment.taken.v1",
      {
        orderId: confirmed,
        paymentId: crypto.randomUUID(),
        amount: { amount: 1150, currency: "GBP" },
        takenAt: new Date().toISOString(),
      },
      { traceparent: startTrace(), causationid: "test", subject: confirmed },
    );
    expect(await env.ORDERS.getByName(confirmed).applyEvent(taken)).toBe("processed");
    await env.ORDERS.getByName(waiting).submit(submitCommand(waiting, delivery(Date.now() + 60_000)));
    await env.ORDERS.getByName(neverAsked).submit(submitCommand(neverAsked, delivery(Date.now())));
    expect(await runDurableObjectAlarm(env.ORDERS.getByName(neverAsked))).toBe(true);

    for (const [orderId, payment] of [
      [confirmed, "taken"],
      [waiting, "awaiting-address"],
      [neverAsked, "not-requested"],
    ] as const) {
      const res = await exports.default.fetch(
        new Request(`https://pizza.test/orders/${orderId}`, {
          headers: { Authorization: `Bearer ${token}` },
        }),
      );
      expect(res.status).toBe(200);
      const view = await res.json<{ payment: { status: string }; story: unknown[] }>();
      expect(view.payment.status).toBe(payment);
      expect(view.story.length).toBeGreaterThan(0);
      expect(OrderView.parse(view), `GET /orders/{orderId}, payment ${payment}`).toEqual(view);

      const live = await exports.default.fetch(
        new Request(`https://pizza.test/orders/${orderId}/live`, {
          headers: { Upgrade: "websocket", "Sec-WebSocket-Protocol": `pizza-live.v1, bearer.${token}` },
        }),
      );
      expect(live.status).toBe(101);
      const messages: unknown[] = [];
      const ws = live.webSocket!;
      ws.addEventListener("message", (e) => messages.push(JSON.parse(e.data as string)));
      ws.accept();
      const first = await waitFor("the order on connect", async () => messages[0]);
      expect(OrderMessage.parse(first), `the live message, payment ${payment}`).toEqual(first);
      expect(first).toEqual({ type: "order", order: view });
      ws.close(1000, "done");
    }
  });
});
