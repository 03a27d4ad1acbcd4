import { describe, expect, inject, it } from "vitest";
import { pizzaClient, uniqueId } from "../support/pizza-client";
import { staffFlows } from "../support/staff-flows";
import { waitFor } from "../support/wait-for";

/** What the bus does with events that are repeated or wrong, seen through the operators' endpoints. */
const pizza = pizzaClient(inject("baseUrl"));
const { startPreparing } = staffFlows(pizza);

describe("the event bus", () => {
  it("sends an invalid event to a dead-letter queue with the reason, where operators can read it", async () => {
    const operator = await pizza.token(uniqueId("operator"), "operator");
    const id = uniqueId("bad-event");
    const invalid = {
      specversion: "1.0",
      id,
      source: "/contexts/orders",
      type: "com.plantbasedpizza.order.confirmed.v1",
      time: new Date().toISOString(),
      datacontenttype: "application/json",
      dataschema: "https://plantbasedpizza.dev/schemas/events/com.plantbasedpizza.order.confirmed.v1.json",
      traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      causationid: "test",
      data: { orderId: "not-a-uuid", items: [] },
    };
    expect((await pizza.putOnBus(operator, invalid)).status).toBe(202);

    const letter = await waitFor("the invalid event in the dead letters", async () => {
      const { body } = await pizza.deadLetters(operator);
      return body.deadLetters.find((l) => l.eventId === id);
    });
    expect(letter).toMatchObject({
      deadLetterQueue: "pizza-events-dlq",
      queue: "pizza-events",
      eventType: invalid.type,
      body: invalid,
    });
    expect(letter.reason).toMatch(/invalid data: data\.orderId/);
  });

  it("changes nothing when an event is delivered twice", async () => {
    const grace = await pizza.token(uniqueId("grace"));
    const operator = await pizza.token(uniqueId("operator"), "operator");
    const { body } = await pizza.submitOrder(grace, {
      items: [{ recipeId: "verdure", quantity: 1 }],
      fulfilment: "collection",
    });
    const before = await startPreparing(grace, body.orderId);
    const events = (await pizza.orderEvents(grace, body.orderId)).body.events;
    const kitchenEvent = events.find((e) => e.type === "com.plantbasedpizza.kitchen.preparation-started.v1");

    // Redeliver the kitchen's event, then a new kitchen event orders will visibly record.
    const marker = { ...kitchenEvent, id: crypto.randomUUID() };
    expect((await pizza.putOnBus(operator, kitchenEvent)).status).toBe(202);
    expect((await pizza.putOnBus(operator, marker)).status).toBe(202);
    await waitFor("the marker event to be applied", async () => {
      const r = await pizza.orderEvents(grace, body.orderId);
      return r.body.events.some((e) => e.id === marker.id) ? true : undefined;
    });

    const after = await pizza.order(grace, body.orderId);
    const applied = (await pizza.orderEvents(grace, body.orderId)).body.events;
    expect(applied.filter((e) => e.id === kitchenEvent.id)).toHaveLength(1);
    expect(after.body.history).toEqual(before.history);
  });

  it("refuses an event whose source is not its producer's: a forged refund reaches no one", async () => {
    const operator = await pizza.token(uniqueId("operator"), "operator");
    const id = uniqueId("forged-refund");
    const forged = {
      specversion: "1.0",
      id,
      source: "/contexts/ops", // payments' refund command may only come from orders
      type: "com.plantbasedpizza.payments.refund-payment.v1",
      time: new Date().toISOString(),
      datacontenttype: "application/json",
      dataschema:
        "https://plantbasedpizza.dev/schemas/events/com.plantbasedpizza.payments.refund-payment.v1.json",
      traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      causationid: "forged",
      data: { orderId: crypto.randomUUID(), reason: "give me my money" },
    };
    expect((await pizza.putOnBus(operator, forged)).status).toBe(202);
    const letter = await waitFor("the forged event in the bus's dead letters", async () => {
      const { body } = await pizza.deadLetters(operator);
      return body.deadLetters.find((l) => l.eventId === id);
    });
    expect(letter).toMatchObject({ deadLetterQueue: "pizza-events-dlq", queue: "pizza-events" });
    expect(letter.reason).toBe(
      "source /contexts/ops is not the producer of com.plantbasedpizza.payments.refund-payment.v1 (/contexts/orders)",
    );
  });

  it("keeps operators' endpoints for operators", async () => {
    const customer = await pizza.token(uniqueId("heidi"));
    expect((await pizza.deadLetters(customer)).status).toBe(403);
    expect((await pizza.call("GET", "/ops/dead-letters")).status).toBe(401);
    expect((await pizza.putOnBus(customer, {})).status).toBe(403);
  });
});
