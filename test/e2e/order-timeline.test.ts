import { describe, expect, inject, it } from "vitest";
import { pizzaClient, uniqueId } from "../support/pizza-client";
import { waitFor } from "../support/wait-for";

/**
 * Operators' timeline of an order (GET /ops/orders/{orderId}/timeline) on the system as `npm run dev`
 * starts it (simulated staff on): an order runs to completed on its own, and its timeline then tells the
 * whole story from every context's own records, who handled each event, on which attempt, and what
 * caused what.
 */
const pizza = pizzaClient(inject("simulatedBaseUrl"));
const address = { line1: "2 Thyme Lane", city: "York", postcode: "YO1 7HH", country: "GB" };

const E = "com.plantbasedpizza.";

/** The answer's shape (workers/orders/api/timeline.ts; restated: that module needs Workers types). */
interface TimelineEvent {
  id: string;
  type: string;
  source: string;
  producer: string;
  time: string;
  causationid?: string;
  traceparent?: string;
  handledBy: { context: string; at: string; attempts: number | null; outcome: string }[];
}
interface Timeline {
  orderId: string;
  events: TimelineEvent[];
  unavailable?: string[];
}

/** Orders' copy of a new address is eventually consistent: submit again with the same key until known. */
async function submitWhenAddressKnown(customer: string, body: unknown) {
  const key = uniqueId("order");
  return waitFor("orders to know the new address", async () => {
    const r = await pizza.submitOrder(customer, body, key);
    return r.status === 202 ? r : undefined;
  });
}

/** The order's timeline once `done` holds for it (the last contexts may still be applying). */
async function timelineWhen(orderId: string, what: string, done: (events: TimelineEvent[]) => boolean) {
  const operator = await pizza.token(uniqueId("operator"), "operator");
  return waitFor(
    `the timeline of ${orderId} ${what}`,
    async () => {
      const r = await pizza.call<Timeline>("GET", `/ops/orders/${orderId}/timeline`, { token: operator });
      return r.status === 200 && done(r.body.events) ? r.body : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  );
}

const handlersOf = (events: TimelineEvent[], type: string) =>
  events
    .filter((e) => e.type === `${E}${type}`)
    .flatMap((e) => e.handledBy.map((h) => h.context))
    .sort();

/** `types` appear in the timeline in this order (other events may come between them). */
function expectInOrder(events: TimelineEvent[], types: string[]) {
  const positions = types.map((t) => events.findIndex((e) => e.type === `${E}${t}`));
  expect(
    types.filter((_, i) => positions[i] === -1),
    "missing from the timeline",
  ).toEqual([]);
  expect(positions).toEqual([...positions].sort((a, b) => a - b));
}

/** Every event was caused by one before it, but the first, which the customer's submit command caused. */
function expectCausationChain(events: TimelineEvent[]) {
  expect(events[0]!.type).toBe(`${E}order.submitted.v1`);
  expect(events[0]!.causationid).toMatch(/^submit-order:/);
  events.slice(1).forEach((event, i) => {
    const earlier = events.slice(0, i + 1).map((e) => e.id);
    expect(earlier, `the cause of ${event.type} (${event.causationid})`).toContain(event.causationid);
  });
  // One trace from the customer's request to the last step.
  const traceIds = new Set(events.map((e) => e.traceparent?.split("-")[1]));
  expect([...traceIds]).toHaveLength(1);
}

function expectAttemptsKept(events: TimelineEvent[]) {
  for (const event of events)
    for (const h of event.handledBy) {
      expect(h.attempts, `${h.context}'s attempts at ${event.type}`).toBeGreaterThanOrEqual(1);
      expect(h.outcome).toBe("processed");
      expect(Date.parse(h.at)).toBeGreaterThanOrEqual(Date.parse(event.time));
    }
}

describe("an operator's timeline of an order", () => {
  it("tells a collection order's story from every context, with attempts and causes", async () => {
    const customer = await pizza.token(uniqueId("timeline-collection"));
    const { body } = await pizza.submitOrder(customer, {
      items: [{ recipeId: "margherita", quantity: 1 }],
      fulfilment: "collection",
    });
    const orderId: string = body.orderId;
    await pizza.waitForOrder(customer, orderId, "to be completed", (o) => o.status === "completed", 90_000);
    const { events } = await timelineWhen(orderId, "with loyalty's points", (events) =>
      handlersOf(events, "order.completed.v1").includes("loyalty"),
    );

    expectInOrder(events, [
      "order.submitted.v1",
      "payments.take-payment.v1",
      "payment.taken.v1",
      "order.confirmed.v2",
      "kitchen.preparation-started.v1",
      "kitchen.pizza-baked.v1",
      "kitchen.quality-checked.v1",
      "order.ready-for-collection.v1",
      "collection.order-collected.v1",
      "order.completed.v2",
    ]);
    // The customer's list of orders (GET /orders) is orders' own read model of order submitted.
    expect(handlersOf(events, "order.submitted.v1")).toEqual(["orders"]);
    expect(handlersOf(events, "payments.take-payment.v1")).toEqual(["payments"]);
    expect(handlersOf(events, "payment.taken.v1")).toEqual(["orders"]);
    expect(handlersOf(events, "order.confirmed.v2")).toEqual(["analytics", "kitchen"]);
    for (const step of ["preparation-started", "pizza-baked", "quality-checked"])
      expect(handlersOf(events, `kitchen.${step}.v1`), step).toEqual(["orders"]);
    expect(handlersOf(events, "order.ready-for-collection.v1")).toEqual(["collection"]);
    expect(handlersOf(events, "collection.order-collected.v1")).toEqual(["orders"]);
    expect(handlersOf(events, "order.completed.v1")).toEqual(["loyalty"]);
    expect(events.find((e) => e.type === `${E}payment.taken.v1`)?.producer).toBe("payments");
    expect(events.find((e) => e.type === `${E}kitchen.pizza-baked.v1`)?.producer).toBe("kitchen");
    expectAttemptsKept(events);
    expectCausationChain(events);
    const times = events.map((e) => Date.parse(e.time));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it("tells a delivery order's story, the driver's steps among it", async () => {
    const customer = await pizza.token(uniqueId("timeline-delivery"));
    const added = await pizza.addAddress(customer, address);
    expect(added.status).toBe(201);
    const { body } = await submitWhenAddressKnown(customer, {
      items: [{ recipeId: "margherita", quantity: 1 }],
      fulfilment: "delivery",
      deliveryAddressId: added.body.addressId,
    });
    const orderId: string = body.orderId;
    await pizza.waitForOrder(customer, orderId, "to be completed", (o) => o.status === "completed", 90_000);
    const { events } = await timelineWhen(orderId, "with loyalty's points", (events) =>
      handlersOf(events, "order.completed.v1").includes("loyalty"),
    );

    expectInOrder(events, [
      "order.submitted.v1",
      "payment.taken.v1",
      "order.confirmed.v2",
      "kitchen.quality-checked.v1",
      "order.ready-for-delivery.v1",
      "delivery.driver-assigned.v1",
      "delivery.order-collected-by-driver.v1",
      "delivery.order-delivered.v1",
      "order.completed.v2",
    ]);
    expect(handlersOf(events, "order.ready-for-delivery.v1")).toEqual(["delivery"]);
    for (const step of ["driver-assigned", "order-collected-by-driver", "order-delivered"])
      expect(handlersOf(events, `delivery.${step}.v1`), step).toEqual(["orders"]);
    expectAttemptsKept(events);
    expectCausationChain(events);
  });

  it("is for operators only", async () => {
    const customer = await pizza.token(uniqueId("timeline-nosy"));
    const r = await pizza.call("GET", `/ops/orders/${crypto.randomUUID()}/timeline`, { token: customer });
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ error: "forbidden" });
  });
});
