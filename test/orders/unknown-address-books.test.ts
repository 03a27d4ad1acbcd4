import { env, exports } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { AddressBook } from "../../durable-objects/orders/address-book";
import { mintToken } from "../../shared/auth/token";
import { createEvent } from "../../shared/events/envelope";
import { registry } from "../../shared/events/registry";
import { startTrace } from "../../shared/events/trace";
import { waitFor } from "../support/wait-for";

/**
 * Orders' address book is one Durable Object per customer id, the id in whatever token the caller
 * holds. Reading it stores nothing. A delivery order naming an address it does not know is held
 * (the address may be on its way) only until its wait is over: then the book forgets it, and a book
 * with no address left stores nothing (no tables, no alarm), or every such attempt would leave an
 * object behind.
 */
const submitDelivery = async (customerId: string, deliveryAddressId: string) =>
  exports.default.fetch(
    new Request("https://pizza.test/orders", {
      method: "POST",
      headers: {
        Authorization: `Bearer ${await mintToken(env.JWT_SECRET, customerId)}`,
        "Content-Type": "application/json",
      },
      body: JSON.stringify({
        items: [{ recipeId: "margherita", quantity: 1 }],
        fulfilment: "delivery",
        deliveryAddressId,
      }),
    }),
  );

/**
 * What the object has stored: its tables (an empty table is stored too) and its alarm. (Not whether it
 * is listed: locally workerd makes an object's database file as soon as the object starts.)
 */
const storedBy = (customerId: string) =>
  runInDurableObject(env.ADDRESS_BOOKS.getByName(customerId), async (_b: AddressBook, state) => ({
    tables: state.storage.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .toArray()
      .map((t) => t.name),
    alarm: await state.storage.getAlarm(),
  }));

describe("the address book of a customer with no addresses", () => {
  it("stores nothing when only asked", async () => {
    const customerId = `customer-${crypto.randomUUID()}`;
    expect(await env.ADDRESS_BOOKS.getByName(customerId).owns("address-1")).toBe(false);
    expect(await env.ADDRESS_BOOKS.getByName(customerId).waitingFor("address-1")).toEqual([]);
    expect(await storedBy(customerId)).toEqual({ tables: [], alarm: null });
  });

  it("accepts a delivery order to an address it does not know yet, and keeps it waiting", async () => {
    const customerId = `customer-${crypto.randomUUID()}`;
    const addressId = `address-${crypto.randomUUID()}`;
    const res = await submitDelivery(customerId, addressId);
    expect(res.status).toBe(202);
    const { orderId } = await res.json<{ orderId: string }>();
    expect(await env.ADDRESS_BOOKS.getByName(customerId).waitingFor(addressId)).toEqual([orderId]);
    const stored = await storedBy(customerId);
    expect(stored.tables).toContain("waiting_orders"); // and the runtime's own record of the alarm
    expect(stored.alarm).not.toBeNull();
  });

  it("forgets a waiting order once its wait is over, and then stores nothing", async () => {
    const customerId = `customer-${crypto.randomUUID()}`;
    const book = env.ADDRESS_BOOKS.getByName(customerId);
    // Its deadline long gone (more than the minute the book keeps it after).
    expect(await book.admit("address-gone", crypto.randomUUID(), Date.now() - 120_000)).toBe("awaited");
    await runDurableObjectAlarm(book); // false if it already fired by itself: either way it ran
    await waitFor("the book to be emptied", async () => {
      const stored = await storedBy(customerId);
      return stored.tables.length === 0 && stored.alarm === null ? stored : undefined;
    });
    expect(await book.waitingFor("address-gone")).toEqual([]);
  });

  it("is created with the customer's first address, in the transaction that applies it", async () => {
    const customerId = `customer-${crypto.randomUUID()}`;
    const addressId = `address-${crypto.randomUUID()}`;
    const book = env.ADDRESS_BOOKS.getByName(customerId);
    const added = createEvent(
      "com.plantbasedpizza.customer.address-added.v1",
      {
        ...registry["com.plantbasedpizza.customer.address-added.v1"].example,
        customerId,
        addressId,
      },
      { traceparent: startTrace(), causationid: "test", subject: customerId },
    );
    expect(await book.addressAdded(added)).toBe("processed");
    expect(await storedBy(customerId)).toEqual({ tables: ["addresses", "inbox"], alarm: null });
    expect(await book.owns(addressId)).toBe(true);
    expect((await submitDelivery(customerId, addressId)).status).toBe(202);
    // A known address: nobody waits for it.
    expect(await storedBy(customerId)).toEqual({ tables: ["addresses", "inbox"], alarm: null });
  });
});
