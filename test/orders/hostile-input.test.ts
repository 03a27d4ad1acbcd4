import { env, exports } from "cloudflare:workers";
import { listDurableObjectIds } from "cloudflare:test";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mintToken, Role } from "../../shared/auth/token";
import { eventTypes } from "../../shared/events/registry";
import type { ErrorBody } from "../../shared/http/errors";
import { orderIdFor } from "../../workers/orders/submit-order";
import {
  authorizationFor,
  badTokens,
  deepBodies,
  hostileUrlPart,
  malformedJson,
  notJsonContentType,
  wrongShapes,
  type Json,
  type JsonPath,
} from "../support/hostile-input";

/**
 * Hostile input at every public route of the one public origin: the orders API and, through the
 * gateway, every other context's thin API, against the real workers, Durable Objects and bindings. Each
 * property sends what a broken or malicious client would (fast-check generates it) and holds the API
 * to its promise: a 4xx with the JSON error every API answers with (shared/http/errors.ts), never a
 * 5xx, and never an order. Every attempt is Mallory's, in whatever role the route needs; each at
 * POST /orders carries an Idempotency-Key, so the order it would have made has a known id
 * (workers/orders/submit-order.ts) that must still be unknown afterwards.
 */

/** Enough cases to find what is broken in a run or two, few enough to finish in seconds. */
const RUNS = { numRuns: 40 };
const PROPERTY_TIMEOUT_MS = 60_000;
/** An order id no context knows. */
const NO_SUCH_ORDER = crypto.randomUUID();

type Access = Role | "anyone";
interface PublicRoute {
  method: "GET" | "POST";
  path: string;
  access: Access;
  /** A body the route would take: every field required, no unknown field allowed. */
  body?: Json;
  /** Fields whose value comes from a fixed vocabulary (an enum, a known name, a date, a code). */
  vocabulary?: JsonPath[];
  /** Not in this build (local life only): 404 for everyone, like any unknown path. */
  absent?: true;
}

const ORDER: Json = { items: [{ recipeId: "margherita", quantity: 1 }], fulfilment: "collection" };

const ROUTES: PublicRoute[] = [
  { method: "GET", path: "/", access: "anyone" },
  { method: "GET", path: "/api", access: "anyone" },
  { method: "GET", path: "/menu", access: "anyone" },
  { method: "GET", path: "/schemas/events", access: "anyone" },
  { method: "GET", path: `/schemas/events/${eventTypes[0]}.json`, access: "anyone" },
  { method: "GET", path: "/catalog", access: "anyone" },
  { method: "GET", path: "/catalog/asyncapi.json", access: "anyone" },
  {
    method: "POST",
    path: "/dev/sign-in",
    access: "anyone",
    body: { role: "customer", name: "Mallory" },
    vocabulary: [["role"]],
    absent: true,
  },
  {
    method: "POST",
    path: "/dev/bus/events",
    access: "anyone",
    body: { specversion: "1.0", id: "e-1", source: "/contexts/orders", type: eventTypes[0]!, data: {} },
    absent: true,
  },
  {
    method: "POST",
    path: "/orders",
    access: "customer",
    body: ORDER,
    vocabulary: [["items", 0, "recipeId"], ["fulfilment"]],
  },
  { method: "GET", path: "/orders", access: "customer" },
  { method: "GET", path: `/orders/${NO_SUCH_ORDER}`, access: "customer" },
  { method: "GET", path: `/orders/${NO_SUCH_ORDER}/events`, access: "customer" },
  { method: "POST", path: `/orders/${NO_SUCH_ORDER}/cancel`, access: "customer" },
  { method: "GET", path: "/ops/dead-letters", access: "operator" },
  { method: "GET", path: "/ops/dead-letters/groups", access: "operator" },
  { method: "GET", path: "/ops/dead-letters/audit", access: "operator" },
  {
    method: "POST",
    path: "/ops/dead-letters/redrive",
    access: "operator",
    body: { deadLetterQueue: "kitchen-inbox-dlq", messageIds: ["letter-1"] },
    vocabulary: [["deadLetterQueue"]],
  },
  {
    method: "POST",
    path: "/ops/dead-letters/discard",
    access: "operator",
    body: { deadLetterQueue: "kitchen-inbox-dlq", messageIds: ["letter-1"], reason: "poison" },
    vocabulary: [["deadLetterQueue"]],
  },
  { method: "GET", path: "/ops/deprecations", access: "operator" },
  { method: "GET", path: `/ops/orders/${NO_SUCH_ORDER}/timeline`, access: "operator" },
  {
    method: "POST",
    path: "/ops/replays",
    access: "operator",
    body: { subscriber: "kitchen", from: "2026-01-01T00:00:00Z", to: "2026-01-01T01:00:00Z" },
    vocabulary: [["subscriber"], ["from"], ["to"]],
  },
  { method: "GET", path: `/ops/replays/${NO_SUCH_ORDER}`, access: "operator" },
  // The other contexts' thin APIs, through the gateway.
  { method: "GET", path: "/kitchen/tickets", access: "staff" },
  { method: "GET", path: "/delivery/orders", access: "staff" },
  { method: "GET", path: "/collection/orders", access: "staff" },
  { method: "GET", path: `/kitchen/tickets/${NO_SUCH_ORDER}`, access: "staff" },
  ...["start-preparing", "pizza-baked", "quality-checked"].map((step): PublicRoute => ({
    method: "POST",
    path: `/kitchen/tickets/${NO_SUCH_ORDER}/${step}`,
    access: "staff",
  })),
  { method: "GET", path: `/delivery/orders/${NO_SUCH_ORDER}`, access: "staff" },
  {
    method: "POST",
    path: `/delivery/orders/${NO_SUCH_ORDER}/driver`,
    access: "staff",
    body: { driverId: "driver-1" },
  },
  ...["collected-by-driver", "delivered"].map((step): PublicRoute => ({
    method: "POST",
    path: `/delivery/orders/${NO_SUCH_ORDER}/${step}`,
    access: "staff",
  })),
  { method: "GET", path: `/collection/orders/${NO_SUCH_ORDER}`, access: "staff" },
  { method: "POST", path: `/collection/orders/${NO_SUCH_ORDER}/collected`, access: "staff" },
  {
    method: "POST",
    path: "/customers/me/addresses",
    access: "customer",
    body: { line1: "1 Crust Lane", city: "Leeds", postcode: "LS1 4AP", country: "GB" },
    vocabulary: [["country"]],
  },
  { method: "GET", path: "/customers/me/addresses", access: "customer" },
  { method: "GET", path: "/customers/me/addresses/address-unknown", access: "customer" },
  { method: "GET", path: "/loyalty/me", access: "customer" },
  { method: "GET", path: "/analytics/revenue", access: "analyst" },
];

/** Where a path segment or query value goes, for odd ones. */
interface OddPlace {
  method: "GET" | "POST";
  access: Access;
  at: (value: string) => string;
  body?: Json;
}
const ODD_PLACES: OddPlace[] = [
  { method: "GET", access: "anyone", at: (x) => `/schemas/events/${x}.json` },
  { method: "GET", access: "customer", at: (x) => `/orders/${x}` },
  { method: "GET", access: "customer", at: (x) => `/orders/${x}/events` },
  { method: "POST", access: "customer", at: (x) => `/orders/${x}/cancel` },
  { method: "GET", access: "operator", at: (x) => `/ops/replays/${x}` },
  { method: "GET", access: "operator", at: (x) => `/ops/dead-letters?queue=${x}` },
  { method: "GET", access: "operator", at: (x) => `/ops/dead-letters?limit=${x}` },
  { method: "GET", access: "operator", at: (x) => `/ops/dead-letters?state=${x}` },
  { method: "GET", access: "operator", at: (x) => `/ops/dead-letters/groups?queue=${x}` },
  { method: "GET", access: "operator", at: (x) => `/ops/dead-letters/audit?deadLetterQueue=${x}` },
  { method: "GET", access: "staff", at: (x) => `/kitchen/tickets/${x}` },
  { method: "POST", access: "staff", at: (x) => `/kitchen/tickets/${x}/start-preparing` },
  { method: "GET", access: "staff", at: (x) => `/delivery/orders/${x}` },
  {
    method: "POST",
    access: "staff",
    at: (x) => `/delivery/orders/${x}/driver`,
    body: { driverId: "driver-1" },
  },
  { method: "POST", access: "staff", at: (x) => `/delivery/orders/${x}/delivered` },
  { method: "GET", access: "staff", at: (x) => `/collection/orders/${x}` },
  { method: "POST", access: "staff", at: (x) => `/collection/orders/${x}/collected` },
  { method: "GET", access: "customer", at: (x) => `/customers/me/addresses/${x}` },
  { method: "GET", access: "analyst", at: (x) => `/analytics/revenue?from=${x}` },
  { method: "GET", access: "analyst", at: (x) => `/analytics/revenue?to=${x}` },
];

/**
 * Each attempt is a Mallory of its own, from an address of its own: the public API counts every caller
 * against its rate limits (workers/orders/api/rate-limits.ts), which are not what this file is about.
 */
interface Mallory {
  id: string;
  address: string;
}
let mallories = 0;
function nextMallory(): Mallory {
  const n = ++mallories;
  return { id: `mallory-${n}`, address: `2001:db8::${n.toString(16)}` };
}
/** Mallory's genuine token in `role`. */
const bearer = (mallory: Mallory, role: Role) => mintToken(env.JWT_SECRET, mallory.id, role);
const authorization = async (mallory: Mallory, access: Access): Promise<Record<string, string>> =>
  access === "anyone" ? {} : { Authorization: `Bearer ${await bearer(mallory, access)}` };

interface Attempt {
  method: string;
  path: string;
  headers?: Record<string, string | undefined>;
  body?: BodyInit;
}

/**
 * Sends Mallory's `attempt` and checks the answer is a refusal (`status`, else any 4xx) with the JSON
 * error shape; for POST /orders, also that no order came of it.
 */
async function expectRefused(mallory: Mallory, what: string, attempt: Attempt, status?: number) {
  const headers = new Headers({ "cf-connecting-ip": mallory.address });
  for (const [name, value] of Object.entries(attempt.headers ?? {}))
    if (value !== undefined) headers.set(name, value);
  const ordering = new URL(`https://pizza.test${attempt.path}`).pathname === "/orders";
  const key = ordering && !headers.has("Idempotency-Key") ? "hostile" : undefined;
  if (key) headers.set("Idempotency-Key", key);
  const res = await exports.default.fetch(
    new Request(`https://pizza.test${attempt.path}`, {
      method: attempt.method,
      headers,
      ...(attempt.body === undefined ? {} : { body: attempt.body }),
    }),
  );
  const text = await res.text();
  const where = `${attempt.method} ${attempt.path.slice(0, 200)} with ${what.slice(0, 300)}: ${res.status} ${text.slice(0, 300)}`;
  if (status !== undefined) expect(res.status, where).toBe(status);
  else expect(res.status >= 400 && res.status < 500, where).toBe(true);
  expect(res.headers.get("Content-Type"), where).toMatch(/^application\/json\b/);
  const error = JSON.parse(text) as ErrorBody;
  expect(error, where).toEqual({
    error: expect.stringMatching(/^[a-z_]+$/),
    message: expect.any(String),
    ...(error.issues === undefined ? {} : { issues: expect.any(Array) }),
  });
  for (const issue of error.issues ?? [])
    expect(issue, where).toEqual({ field: expect.any(String), reason: expect.any(String) });
  if (key) await expectNoOrder(mallory, key, where);
  return { res, error };
}

/** The order Mallory's attempt with `key` would have made does not exist. */
async function expectNoOrder(mallory: Mallory, key: string, where: string) {
  const orderId = await orderIdFor(mallory.id, key);
  const res = await exports.default.fetch(
    new Request(`https://pizza.test/orders/${orderId}`, {
      headers: {
        Authorization: `Bearer ${await bearer(mallory, "customer")}`,
        "cf-connecting-ip": mallory.address,
      },
    }),
  );
  expect(res.status, `an order came of ${where}`).toBe(404);
}

/** Random bytes (getRandomValues fills at most 64 KB at a time). */
function noise(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let at = 0; at < size; at += 65_536) crypto.getRandomValues(bytes.subarray(at, at + 65_536));
  return bytes;
}

const authenticated = ROUTES.filter((r) => r.access !== "anyone");
const withBody = ROUTES.filter((r): r is PublicRoute & { body: Json } => r.body !== undefined);
const posts = ROUTES.filter((r) => r.method === "POST");
/** A route's body limit: catering orders make submitting an order the one big one. */
const bodyLimitOf = (route: { method: string; path: string }) =>
  route.method === "POST" && route.path === "/orders" ? 512 * 1024 : 32 * 1024;
const label = (route: { method: string; path: string }) => `${route.method} ${route.path}`;

describe("hostile input at every public route", () => {
  it(
    "refuses a missing, malformed, expired, forged, unsigned, claims-less or unending token with 401",
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...authenticated), badTokens, async (route, bad) => {
          const mallory = nextMallory();
          const role = route.access as Role;
          const header = await authorizationFor(bad, env.JWT_SECRET, mallory.id, role);
          const { res, error } = await expectRefused(
            mallory,
            JSON.stringify(bad),
            {
              method: route.method,
              path: route.path,
              headers: {
                Authorization: header,
                ...(route.body === undefined ? {} : { "Content-Type": "application/json" }),
              },
              ...(route.body === undefined ? {} : { body: JSON.stringify(route.body) }),
            },
            401,
          );
          expect(error.error).toBe("unauthorized");
          expect(error.issues?.[0]?.field).toBe("Authorization");
          expect(res.headers.get("WWW-Authenticate")).toMatch(/^Bearer /);
        }),
        { numRuns: 80 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    "refuses a genuine token of another role with 403",
    async () => {
      const wrongRoles = authenticated.flatMap((route) =>
        Role.options.filter((role) => role !== route.access).map((role) => [route, role] as const),
      );
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...wrongRoles), async ([route, role]) => {
          const mallory = nextMallory();
          const { error } = await expectRefused(
            mallory,
            `a ${role} token`,
            {
              method: route.method,
              path: route.path,
              headers: {
                Authorization: `Bearer ${await bearer(mallory, role)}`,
                ...(route.body === undefined ? {} : { "Content-Type": "application/json" }),
              },
              ...(route.body === undefined ? {} : { body: JSON.stringify(route.body) }),
            },
            403,
          );
          expect(error.error).toBe("forbidden");
        }),
        RUNS,
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    "answers a body that is not JSON with 400 invalid_json",
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...withBody), malformedJson, async (route, text) => {
          const mallory = nextMallory();
          const { error } = await expectRefused(
            mallory,
            JSON.stringify(text),
            {
              method: route.method,
              path: route.path,
              headers: {
                "Content-Type": "application/json",
                ...(await authorization(mallory, route.access)),
              },
              body: text,
            },
            route.absent ? 404 : 400,
          );
          if (!route.absent) expect(error.error).toBe("invalid_json");
        }),
        RUNS,
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    "refuses JSON of the wrong shape: missing, extra and mistyped fields, odd and huge text",
    async () => {
      const cases = fc.oneof(
        ...withBody.map((route) =>
          wrongShapes(route.body, route.vocabulary ?? []).map((shape) => ({ route, ...shape })),
        ),
      );
      await fc.assert(
        fc.asyncProperty(cases, async ({ route, how, json }) => {
          const mallory = nextMallory();
          await expectRefused(mallory, `${how}: ${json.slice(0, 200)}`, {
            method: route.method,
            path: route.path,
            headers: { "Content-Type": "application/json", ...(await authorization(mallory, route.access)) },
            body: json,
          });
        }),
        { numRuns: 120 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    "refuses a very deeply nested document",
    async () => {
      const cases = fc.oneof(
        ...withBody.map((route) => deepBodies(route.body).map((deep) => ({ route, ...deep }))),
      );
      await fc.assert(
        fc.asyncProperty(cases, async ({ route, how, json }) => {
          const mallory = nextMallory();
          await expectRefused(mallory, `${how} (${json.length} characters)`, {
            method: route.method,
            path: route.path,
            headers: { "Content-Type": "application/json", ...(await authorization(mallory, route.access)) },
            body: json,
          });
        }),
        RUNS,
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    "refuses a body over its route's limit with 413 (32 KB; 512 KB to submit an order), with or without a Content-Length, before anything else",
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...posts),
          fc.integer({ min: 1, max: 224 * 1024 }),
          fc.constantFrom("json", "bytes"),
          fc.constantFrom("length", "stream"),
          fc.boolean(),
          async (route, over, kind, transport, withToken) => {
            const mallory = nextMallory();
            const size = bodyLimitOf(route) + over;
            const bytes =
              kind === "json"
                ? new TextEncoder().encode(
                    JSON.stringify({ ...(route.body as object), padding: "x".repeat(size) }),
                  )
                : noise(size);
            const body =
              transport === "length"
                ? bytes
                : new ReadableStream<Uint8Array>({
                    start(controller) {
                      for (let at = 0; at < bytes.length; at += 8192)
                        controller.enqueue(bytes.slice(at, at + 8192));
                      controller.close();
                    },
                  });
            const { error } = await expectRefused(
              mallory,
              `${bytes.length} bytes of ${kind} by ${transport}`,
              {
                method: route.method,
                path: route.path,
                headers: {
                  "Content-Type": "application/json",
                  ...(transport === "length" ? { "Content-Length": String(bytes.length) } : {}),
                  ...(withToken ? await authorization(mallory, route.access) : {}),
                },
                body,
              },
              413,
            );
            expect(error.error).toBe("payload_too_large");
          },
        ),
        { numRuns: 25 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    "refuses a method the route does not serve",
    async () => {
      const served = new Set(ROUTES.map(label));
      const cases = ROUTES.flatMap((route) =>
        // workerd takes only the methods it knows (no made-up ones); HEAD is GET without the body.
        ["GET", "POST", "PUT", "PATCH", "patch", "DELETE", "OPTIONS", "PURGE", "PROPFIND"]
          .filter((method) => !served.has(label({ method: method.toUpperCase(), path: route.path })))
          .map((method) => [route, method] as const),
      );
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...cases), async ([route, method]) => {
          const mallory = nextMallory();
          await expectRefused(mallory, `method ${method}`, {
            method,
            path: route.path,
            headers: await authorization(mallory, route.access),
          });
        }),
        { numRuns: 60 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    "answers a body that is not sent as JSON with 415",
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...withBody), notJsonContentType, async (route, type) => {
          const mallory = nextMallory();
          const { error } = await expectRefused(
            mallory,
            `Content-Type ${JSON.stringify(type)}`,
            {
              method: route.method,
              path: route.path,
              // Bytes, so that no Content-Type is set for us when there is none.
              headers: { "Content-Type": type, ...(await authorization(mallory, route.access)) },
              body: new TextEncoder().encode(JSON.stringify(route.body)),
            },
            route.absent ? 404 : 415,
          );
          if (!route.absent) expect(error.error).toBe("unsupported_media_type");
        }),
        RUNS,
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    "refuses odd Unicode, broken percent-encoding and huge values in paths and query strings",
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...ODD_PLACES), hostileUrlPart, async (place, value) => {
          const mallory = nextMallory();
          await expectRefused(mallory, `value ${value.slice(0, 100)}`, {
            method: place.method,
            path: place.at(value),
            headers: {
              ...(place.body === undefined ? {} : { "Content-Type": "application/json" }),
              ...(await authorization(mallory, place.access)),
            },
            ...(place.body === undefined ? {} : { body: JSON.stringify(place.body) }),
          });
        }),
        { numRuns: 80 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    "refuses an Idempotency-Key that is not 1-255 printable ASCII characters, and makes no order",
    async () => {
      const printable = fc.string({
        unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
        minLength: 1,
        maxLength: 20,
      });
      const badKey = fc.oneof(
        fc
          .tuple(printable, fc.constantFrom(" ", "\t", "\x01", "\x1f", "\x7f"), printable)
          .map(([before, odd, after]) => before + odd + after),
        fc.integer({ min: 256, max: 4_000 }).map((length) => "k".repeat(length)),
      );
      await fc.assert(
        fc.asyncProperty(badKey, async (key) => {
          const mallory = nextMallory();
          const before = (await listDurableObjectIds(env.ORDERS)).length;
          const { error } = await expectRefused(
            mallory,
            `Idempotency-Key ${JSON.stringify(key.slice(0, 100))}`,
            {
              method: "POST",
              path: "/orders",
              headers: {
                "Content-Type": "application/json",
                "Idempotency-Key": key,
                ...(await authorization(mallory, "customer")),
              },
              body: JSON.stringify(ORDER),
            },
            400,
          );
          expect(error.issues?.map((i) => i.field)).toEqual(["Idempotency-Key"]);
          // With a refused key there is no id to look up: no order object may have come into being.
          expect((await listDurableObjectIds(env.ORDERS)).length).toBe(before);
        }),
        { numRuns: 25 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    "answers revenue for any pair of calendar dates with 200 or a 400 that says why",
    async () => {
      const DAY_MS = 86_400_000;
      const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
      const [first, last] = [Date.parse("0000-01-01T00:00:00Z"), Date.parse("9999-12-31T00:00:00Z")];
      // Any day, and days near the edges of what YYYY-MM-DD can say (year 0000, year 9999).
      const start = fc.oneof(
        fc.integer({ min: first, max: last }),
        fc.integer({ min: first, max: first + 400 * DAY_MS }),
        fc.integer({ min: last - 400 * DAY_MS, max: last }),
        fc.constantFrom(last, Date.parse("2024-02-29T00:00:00Z")),
      );
      await fc.assert(
        fc.asyncProperty(start, fc.integer({ min: -3, max: 400 }), async (fromMs, span) => {
          const mallory = nextMallory();
          const from = day(fromMs);
          const to = day(fromMs + span * DAY_MS);
          const res = await exports.default.fetch(
            new Request(`https://pizza.test/analytics/revenue?from=${from}&to=${to}`, {
              headers: await authorization(mallory, "analyst"),
            }),
          );
          const what = `from ${from} to ${to}: ${res.status}`;
          // At most 366 days, from included (MAX_RANGE_DAYS, workers/analytics/revenue-api.ts).
          const inRange = /^\d{4}-\d{2}-\d{2}$/.test(to) && span >= 0 && span < 366;
          expect(res.status, what).toBe(inRange ? 200 : 400);
          const body = await res.json<{ from?: string; revenue?: unknown[]; error?: string }>();
          if (inRange) expect(body, what).toEqual({ from, to, revenue: expect.any(Array) });
          else expect(body.error, what).toBe("validation_failed");
        }),
        { numRuns: 40 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});
