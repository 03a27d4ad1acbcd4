import { describe, expect, inject, it } from "vitest";
import { pizzaClient, uniqueId } from "../support/pizza-client";
import { waitFor } from "../support/wait-for";

/**
 * The staff boards end to end, through the gateway as the staff screens read them, with the tests
 * playing the staff (simulated staff off): an order shows on the kitchen's board, moves there with the
 * cooks' commands, leaves it for the counter's or the drivers' board, and leaves that once done.
 */
const pizza = pizzaClient(inject("baseUrl"));
const address = { line1: "1 Basil Row", city: "Leeds", postcode: "LS1 4AP", country: "GB" };

type Row = { orderId: string; status: string; [field: string]: unknown };

/** The order's row on a board, as GET <path> answers it, or undefined when it is not on it. */
async function rowOn(token: string, path: string, orderId: string): Promise<Row | undefined> {
  const res = await pizza.call<Record<string, Row[]>>("GET", path, { token });
  expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(200);
  const [list] = Object.values(res.body);
  return list!.find((r) => r.orderId === orderId);
}

/** Waits until the board shows the order in `status`, or (status undefined) no longer shows it. */
const untilOn = (token: string, path: string, orderId: string, status: string | undefined) =>
  waitFor(
    `${path} to show ${orderId} ${status ?? "gone"}`,
    async () => {
      const row = await rowOn(token, path, orderId);
      if (status === undefined) return row ? undefined : true;
      return row?.status === status ? row : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 250 },
  );

async function step(token: string, path: string, body?: unknown) {
  const res = await pizza.staff(token, path, body);
  expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(202);
}

/** The cooks' part: on the kitchen's board from confirmation, moved by each step, gone once checked. */
async function throughTheKitchen(cook: string, orderId: string) {
  const opened = await untilOn(cook, "/kitchen/tickets", orderId, "waiting");
  expect(opened).toMatchObject({ items: [expect.objectContaining({ quantity: expect.any(Number) })] });
  for (const [command, status] of [
    ["start-preparing", "preparing"],
    ["pizza-baked", "baked"],
  ] as const) {
    await step(cook, `/kitchen/tickets/${orderId}/${command}`);
    // Told before the step answers: no waiting needed.
    expect((await rowOn(cook, "/kitchen/tickets", orderId))?.status).toBe(status);
  }
  await step(cook, `/kitchen/tickets/${orderId}/quality-checked`);
  expect(await rowOn(cook, "/kitchen/tickets", orderId)).toBeUndefined();
}

describe("the staff boards", () => {
  it("carry a collection order from the kitchen's board to the counter's, and off it once collected", async () => {
    const customer = await pizza.token(uniqueId("mia"));
    const staff = await pizza.token(uniqueId("staff"), "staff");
    const submitted = await pizza.submitOrder(customer, {
      items: [{ recipeId: "margherita", quantity: 2 }],
      fulfilment: "collection",
    });
    expect(submitted.status).toBe(202);
    const { orderId } = submitted.body;

    await throughTheKitchen(staff, orderId);
    await untilOn(staff, "/collection/orders", orderId, "waiting-at-counter");
    await step(staff, `/collection/orders/${orderId}/collected`);
    expect(await rowOn(staff, "/collection/orders", orderId)).toBeUndefined();
    await pizza.waitForOrder(customer, orderId, "to be completed", (o) => o.status === "completed");
    // Customers cannot read the boards.
    expect((await pizza.call("GET", "/kitchen/tickets", { token: customer })).status).toBe(403);
  });

  it("carry a delivery order from the kitchen's board to the drivers', and off it once delivered", async () => {
    const customer = await pizza.token(uniqueId("noah"));
    const staff = await pizza.token(uniqueId("staff"), "staff");
    const added = await pizza.addAddress(customer, address);
    expect(added.status).toBe(201);
    const key = uniqueId("order");
    // Orders learns the new address from customers' event, eventually: retried with the same key.
    const submitted = await waitFor("orders to know the new address", async () => {
      const r = await pizza.submitOrder(
        customer,
        {
          items: [{ recipeId: "funghi", quantity: 1 }],
          fulfilment: "delivery",
          deliveryAddressId: added.body.addressId,
        },
        key,
      );
      return r.status === 202 ? r : undefined;
    });
    const { orderId } = submitted.body;

    await throughTheKitchen(staff, orderId);
    await untilOn(staff, "/delivery/orders", orderId, "waiting-for-driver");
    await step(staff, `/delivery/orders/${orderId}/driver`, { driverId: "driver-e2e" });
    expect(await rowOn(staff, "/delivery/orders", orderId)).toMatchObject({
      status: "driver-assigned",
      driver: "driver-e2e",
    });
    await step(staff, `/delivery/orders/${orderId}/collected-by-driver`);
    expect((await rowOn(staff, "/delivery/orders", orderId))?.status).toBe("out-for-delivery");
    await step(staff, `/delivery/orders/${orderId}/delivered`);
    expect(await rowOn(staff, "/delivery/orders", orderId)).toBeUndefined();
  });
});
