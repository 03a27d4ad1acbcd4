import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Customer } from "../../durable-objects/customers/customer";
import type { Principal } from "../../shared/auth/token";
import { customersApi } from "../../workers/customers/addresses-api";

/**
 * A customer is one Durable Object per customer id, the id in whatever token the caller holds: a
 * customer who only reads their addresses, having added none, must store nothing (no tables, no
 * alarm), or every token's reads would leave an object behind.
 */
const call = (principal: Principal, path: string, init?: RequestInit) =>
  customersApi.fetch(new Request(`https://pizza.test${path}`, init), { ...env, principal });
const someCustomer = (): Principal => ({ id: `customer-${crypto.randomUUID()}`, role: "customer" });

/**
 * What the object has stored: its tables (an empty table is stored too) and its alarm. (Not whether it
 * is listed: locally workerd makes an object's database file as soon as the object starts.)
 */
const storedBy = (customerId: string) =>
  runInDurableObject(env.CUSTOMERS.getByName(customerId), async (_c: Customer, state) => ({
    tables: state.storage.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .toArray()
      .map((t) => t.name),
    alarm: await state.storage.getAlarm(),
  }));

describe("a customer with no addresses", () => {
  it("lists none, answers 404 for any address id, and leaves no object behind", async () => {
    const customer = someCustomer();
    const list = await call(customer, "/customers/me/addresses");
    expect(list.status).toBe(200);
    expect(await list.json()).toEqual({ addresses: [] });
    const one = await call(customer, `/customers/me/addresses/address-${crypto.randomUUID()}`);
    expect(one.status).toBe(404);
    expect(await one.json()).toMatchObject({ error: "not_found" });
    expect(await storedBy(customer.id)).toEqual({ tables: [], alarm: null });
  });

  it("stores nothing when asked directly or by its alarm", async () => {
    const { id } = someCustomer();
    const stub = env.CUSTOMERS.getByName(id);
    expect(await stub.addresses()).toEqual([]);
    expect(await stub.address("address-1")).toBeUndefined();
    expect(await stub.unpublishedEvents()).toBe(0);
    expect(await runDurableObjectAlarm(stub)).toBe(false);
    expect(await storedBy(id)).toEqual({ tables: [], alarm: null });
  });
});

describe("a customer's first address", () => {
  it("creates the table with the address, its event and alarm in one write", async () => {
    const customer = someCustomer();
    const added = await call(customer, "/customers/me/addresses", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ line1: "1 Basil Row", city: "Leeds", postcode: "LS1 4AP", country: "GB" }),
    });
    expect(added.status).toBe(201);
    const stored = await storedBy(customer.id);
    expect(stored.tables).toEqual(expect.arrayContaining(["addresses", "outbox"]));
    expect(stored.alarm).not.toBeNull();
    const { addresses } = await (
      await call(customer, "/customers/me/addresses")
    ).json<{
      addresses: { line1: string }[];
    }>();
    expect(addresses).toEqual([expect.objectContaining({ line1: "1 Basil Row" })]);
  });
});
