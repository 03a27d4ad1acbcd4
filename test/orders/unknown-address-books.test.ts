import { env, exports } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { AddressBook } from "../../durable-objects/orders/address-book";
import { mintToken } from "../../shared/auth/token";
import { createEvent } from "../../shared/events/envelope";
import { registry } from "../../shared/events/registry";
import { startTrace } from "../../shared/events/trace";

/**
 * Orders' address book is one Durable Object per customer id, the id in whatever token the caller
 * holds: a delivery order naming an address of a customer orders knows none of must be refused and
 * store nothing (no tables, no alarm), or every such attempt would leave an object behind.
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
  it("refuses a delivery order to any address and stores nothing", async () => {
    const customerId = `customer-${crypto.randomUUID()}`;
    const res = await submitDelivery(customerId, `address-${crypto.randomUUID()}`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: "validation_failed",
      issues: [{ field: "deliveryAddressId" }],
    });
    expect(await env.ADDRESS_BOOKS.getByName(customerId).owns("address-1")).toBe(false);
    expect(await storedBy(customerId)).toEqual({ tables: [], alarm: null });
  });

  it("is created with the customer's first address, in the transaction that applies it", async () => {
    const customerId = `customer-${crypto.randomUUID()}`;
    const book = env.ADDRESS_BOOKS.getByName(customerId);
    const added = createEvent(
      "com.plantbasedpizza.customer.address-added.v1",
      {
        ...registry["com.plantbasedpizza.customer.address-added.v1"].example,
        customerId,
        addressId: "address-home",
      },
      { traceparent: startTrace(), causationid: "test", subject: customerId },
    );
    expect(await book.addressAdded(added)).toBe("processed");
    expect(await storedBy(customerId)).toEqual({ tables: ["addresses", "inbox"], alarm: null });
    expect(await book.owns("address-home")).toBe(true);
    expect((await submitDelivery(customerId, "address-home")).status).toBe(202);
  });
});
