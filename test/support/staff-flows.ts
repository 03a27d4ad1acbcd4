import { expect } from "vitest";
import { pizzaClient, uniqueId } from "./pizza-client";
import { waitFor } from "./wait-for";

/**
 * What staff do to an order, as the e2e tests play them through the public API (the system under
 * test runs without simulated staff). Each step waits for the context to have heard of the order
 * first: contexts learn about orders through events, eventually.
 */
export function staffFlows(pizza: ReturnType<typeof pizzaClient>) {
  const ready = (token: string, path: string, what: string) =>
    waitFor(
      what,
      async () => ((await pizza.call("GET", path, { token })).status === 200 ? true : undefined),
      { timeoutMs: 30_000, intervalMs: 200 },
    );

  async function step(token: string, path: string, body?: unknown) {
    const res = await pizza.staff(token, path, body);
    expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(202);
    return res.body;
  }

  return {
    /** Waits for the order to be paid and confirmed, then a cook starts preparing it. */
    async startPreparing(customer: string, orderId: string) {
      await pizza.waitForOrder(customer, orderId, "to be confirmed", (o) => o.status === "confirmed");
      const cook = await pizza.token(uniqueId("cook"), "staff");
      await ready(cook, `/kitchen/tickets/${orderId}`, `the kitchen's ticket for ${orderId}`);
      await step(cook, `/kitchen/tickets/${orderId}/start-preparing`);
      return pizza.waitForOrder(customer, orderId, "to be preparing", (o) => o.status === "preparing");
    },

    /** The rest of the kitchen's work: pizza baked, quality checked. */
    async finishCooking(customer: string, orderId: string) {
      const cook = await pizza.token(uniqueId("cook"), "staff");
      await step(cook, `/kitchen/tickets/${orderId}/pizza-baked`);
      await step(cook, `/kitchen/tickets/${orderId}/quality-checked`);
      return pizza.waitForOrder(customer, orderId, "to leave the kitchen", (o) =>
        ["ready-for-collection", "quality-checked"].includes(o.status),
      );
    },

    /** The customer collects at the counter. */
    async collect(customer: string, orderId: string) {
      const counter = await pizza.token(uniqueId("counter"), "staff");
      await ready(counter, `/collection/orders/${orderId}`, `the counter to have ${orderId}`);
      await step(counter, `/collection/orders/${orderId}/collected`);
      return pizza.waitForOrder(customer, orderId, "to be completed", (o) => o.status === "completed");
    },

    /** A driver takes the order out and delivers it; returns what delivery knew of it on the way. */
    async deliver(customer: string, orderId: string) {
      const driver = await pizza.token(uniqueId("driver"), "staff");
      await ready(driver, `/delivery/orders/${orderId}`, `delivery to have ${orderId}`);
      const onTheWay = (await pizza.call("GET", `/delivery/orders/${orderId}`, { token: driver })).body;
      await step(driver, `/delivery/orders/${orderId}/driver`, { driverId: "driver-e2e" });
      await step(driver, `/delivery/orders/${orderId}/collected-by-driver`);
      await pizza.waitForOrder(
        customer,
        orderId,
        "to be out for delivery",
        (o) => o.status === "out-for-delivery",
      );
      await step(driver, `/delivery/orders/${orderId}/delivered`);
      const order = await pizza.waitForOrder(
        customer,
        orderId,
        "to be completed",
        (o) => o.status === "completed",
      );
      return { order, delivery: onTheWay };
    },
  };
}
