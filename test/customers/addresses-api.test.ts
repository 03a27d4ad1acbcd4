import { env } from "cloudflare:workers";
import { listDurableObjectIds } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Address } from "../../durable-objects/customers/customer";
import type { Role } from "../../shared/auth/token";
import { startTrace } from "../../shared/events/trace";
import worker from "../../workers/customers";
import { customersApi } from "../../workers/customers/addresses-api";
import { publishedEvents } from "../support/queue-tap";

/** The customers' addresses API, called as the gateway calls it: the Hono app with a verified principal. */
const call = (path: string, as: { id: string; role: Role }, init?: RequestInit) =>
  customersApi.fetch(new Request(`https://pizza.test${path}`, init), { ...env, principal: as });
const customer = (id: string) => ({ id, role: "customer" as const });
const addAddress = (as: { id: string; role: Role }, body: unknown, headers: Record<string, string> = {}) =>
  call("/customers/me/addresses", as, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
const basilRow = { line1: "1 Basil Row", city: "Leeds", postcode: "LS1 4AP", country: "GB" };

describe("POST /customers/me/addresses", () => {
  it("rejects a bad address field by field and stores nothing", async () => {
    const quentin = customer("quentin");
    // Storage is shared by the tests of a file, so compare with the objects that already exist.
    const customersBefore = (await listDurableObjectIds(env.CUSTOMERS)).length;
    const bad: [unknown, string, RegExp][] = [
      [{ ...basilRow, line1: undefined }, "line1", /expected string/i],
      [{ ...basilRow, line1: "   " }, "line1", /must not be empty/],
      [{ ...basilRow, line2: "" }, "line2", /must not be empty/],
      [{ ...basilRow, city: 7 }, "city", /expected string/i],
      [{ ...basilRow, postcode: "LS1 4AP".repeat(5) }, "postcode", /at most 16/],
      [{ ...basilRow, country: "gb" }, "country", /ISO 3166-1 alpha-2/],
      [{ ...basilRow, country: "GBR" }, "country", /ISO 3166-1 alpha-2/],
      [{ ...basilRow, phone: "0113 496 0000" }, "body", /unrecognized key/i],
      [["1 Basil Row"], "body", /expected object/i],
    ];
    for (const [body, field, reason] of bad) {
      const res = await addAddress(quentin, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const error = await res.json<{ error: string; issues: { field: string; reason: string }[] }>();
      expect(error.error).toBe("validation_failed");
      expect(error.issues.find((i) => i.field === field)?.reason, field).toMatch(reason);
    }
    const notJson = await addAddress(quentin, "{");
    expect(notJson.status).toBe(400);
    expect((await notJson.json<{ error: string }>()).error).toBe("invalid_json");
    const wrongType = await call("/customers/me/addresses", quentin, {
      method: "POST",
      headers: { "Content-Type": "text/plain" },
      body: "hi",
    });
    expect(wrongType.status).toBe(415);

    expect(await listDurableObjectIds(env.CUSTOMERS)).toHaveLength(customersBefore);
  });

  it("is for customers only", async () => {
    for (const role of ["staff", "operator"] as const) {
      expect((await addAddress({ id: "someone", role }, basilRow)).status, role).toBe(403);
      expect((await call("/customers/me/addresses", { id: "someone", role })).status, role).toBe(403);
    }
  });

  it("stores the address and answers 201 with it and where it lives", async () => {
    const rosa = customer("rosa");
    const res = await addAddress(rosa, { ...basilRow, line2: "Flat 2", postcode: " LS1 4AP " });
    expect(res.status).toBe(201);
    const address = await res.json<Address>();
    expect(address).toEqual({
      addressId: expect.stringMatching(/^address-[0-9a-f-]{36}$/),
      ...basilRow,
      line2: "Flat 2",
      postcode: "LS1 4AP",
      addedAt: expect.any(String),
    });
    expect(res.headers.get("Location")).toBe(`/customers/me/addresses/${address.addressId}`);
    const there = await call(res.headers.get("Location")!, rosa);
    expect(await there.json()).toEqual(address);
  });

  it("stores the address under the caller's own id and announces it in the gateway's trace, caused by a command", async () => {
    const sam = `sam-${crypto.randomUUID()}`;
    const traceparent = startTrace();
    const res = await addAddress(customer(sam), basilRow, { traceparent });
    expect(res.status).toBe(201);
    const address = await res.json<Address>();
    expect(await env.CUSTOMERS.getByName(sam).addresses()).toEqual([address]);

    const [added] = await publishedEvents((e) => e.subject === sam, 1);
    expect(added).toMatchObject({
      type: "com.plantbasedpizza.customer.address-added.v1",
      source: "/contexts/customers",
      traceparent,
      causationid: expect.stringMatching(/^add-address:[0-9a-f-]{36}$/),
      data: { ...address, customerId: sam },
    });
  });
});

describe("GET /customers/me/addresses", () => {
  it("lists only the caller's own addresses, in the order they were added", async () => {
    const tess = customer("tess");
    const first = await (await addAddress(tess, basilRow)).json<Address>();
    const second = await (
      await addAddress(tess, {
        ...basilRow,
        line1: "9 Oregano Yard",
        country: "IE",
        postcode: "D02 X285",
        city: "Dublin",
      })
    ).json<Address>();
    await addAddress(customer("uma"), { ...basilRow, line1: "Uma's flat" });

    const mine = await (await call("/customers/me/addresses", tess)).json<{ addresses: Address[] }>();
    expect(mine.addresses).toEqual([first, second]);
    const hers = await (
      await call("/customers/me/addresses", customer("uma"))
    ).json<{ addresses: Address[] }>();
    expect(hers.addresses.map((a) => a.line1)).toEqual(["Uma's flat"]);
    // Another customer's address is not found, not forbidden: its existence is not theirs to learn.
    expect((await call(`/customers/me/addresses/${first.addressId}`, customer("uma"))).status).toBe(404);
  });

  it("is an empty list for a customer with no addresses", async () => {
    const res = await call("/customers/me/addresses", customer("vic"));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ addresses: [] });
  });
});

describe("the customers worker", () => {
  it("has no public route: only the gateway's entrypoint reaches the API", async () => {
    const res = await worker.fetch();
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: "not_found" });
  });
});
