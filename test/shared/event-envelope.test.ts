import { CloudEvent, ValidationError } from "cloudevents";
import { describe, expect, it } from "vitest";
import { createEvent, readEvent } from "../../shared/events/envelope";
import { dataschemaFor, eventTypes, registry } from "../../shared/events/registry";
import { isTraceparent, startTrace } from "../../shared/events/trace";
import { exampleData } from "../support/example-events";

/** The envelope and registry: what every producer and consumer relies on. */
const cause = {
  traceparent: startTrace(),
  causationid: "cmd-1",
  subject: "7a1e0d0e-4b5f-4c8e-9d2a-1b3c4d5e6f70",
};

describe("createEvent", () => {
  it.each(eventTypes)("builds %s as a CloudEvent the SDK accepts in strict mode", (type) => {
    const event = createEvent(type, exampleData(type) as never, cause);
    expect(new CloudEvent({ ...event }, true).validate()).toBe(true);
    expect(event).toMatchObject({
      specversion: "1.0",
      type,
      dataschema: dataschemaFor(type),
      source: `/contexts/${registry[type].producer}`,
      ...cause,
    });
    expect(Date.parse(event.time)).not.toBeNaN();
    expect(readEvent(JSON.parse(JSON.stringify(event)))).toEqual({ ok: true, event });
  });

  it("refuses a payload that does not match the type's schema", () => {
    expect(() =>
      createEvent("com.plantbasedpizza.order.confirmed.v1", { orderId: "x" } as never, cause),
    ).toThrow();
  });

  it("refuses an unregistered type", () => {
    // @ts-expect-error: unregistered types do not compile either
    expect(() => createEvent("com.plantbasedpizza.order.teleported.v1", {}, cause)).toThrow(/unregistered/);
  });

  it("strips fields the schema does not know (conservative in what it sends)", () => {
    const data = { ...exampleData("com.plantbasedpizza.kitchen.preparation-started.v1"), chef: "Luigi" };
    const event = createEvent("com.plantbasedpizza.kitchen.preparation-started.v1", data as never, cause);
    expect(event.data).not.toHaveProperty("chef");
  });

  it("gives every event its own id", () => {
    const data = exampleData("com.plantbasedpizza.kitchen.preparation-started.v1") as never;
    expect(createEvent("com.plantbasedpizza.kitchen.preparation-started.v1", data, cause).id).not.toBe(
      createEvent("com.plantbasedpizza.kitchen.preparation-started.v1", data, cause).id,
    );
  });
});

describe("readEvent (the anti-corruption layer)", () => {
  const valid = () =>
    JSON.parse(
      JSON.stringify(
        createEvent(
          "com.plantbasedpizza.kitchen.preparation-started.v1",
          exampleData("com.plantbasedpizza.kitchen.preparation-started.v1") as never,
          cause,
        ),
      ),
    );

  it.each([
    ["a missing id", (e: any) => delete e.id, /invalid envelope: id/],
    ["another specversion", (e: any) => (e.specversion = "0.3"), /invalid envelope: specversion/],
    ["a bad traceparent", (e: any) => (e.traceparent = "00-zz"), /invalid envelope: traceparent/],
    [
      "an unregistered type",
      (e: any) => (e.type = "com.plantbasedpizza.kitchen.pizza-dropped.v1"),
      /unregistered event type/,
    ],
    [
      "a dataschema of another type",
      (e: any) => (e.dataschema = dataschemaFor("com.plantbasedpizza.order.confirmed.v1")),
      /does not match type/,
    ],
    ["a payload that breaks the schema", (e: any) => (e.data.orderId = 42), /invalid data: data.orderId/],
    [
      "a source other than the type's producer",
      (e: any) => (e.source = "/contexts/orders"),
      /source \/contexts\/orders is not the producer of com.plantbasedpizza.kitchen.preparation-started.v1 \(\/contexts\/kitchen\)/,
    ],
  ])("rejects %s with the reason", (_what, spoil, reason) => {
    const event = valid();
    spoil(event);
    const read = readEvent(event);
    expect(read.ok).toBe(false);
    expect(!read.ok && read.reason).toMatch(reason);
  });

  it("rejects what is not an object at all", () => {
    expect(readEvent("hello")).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^invalid envelope/),
    });
    expect(readEvent(null)).toMatchObject({ ok: false });
  });

  it("tolerates unknown extensions and data fields (liberal in what it accepts)", () => {
    const event = { ...valid(), tracestate: "vendor=1" };
    event.data.newOptionalField = true;
    const read = readEvent(event);
    expect(read.ok).toBe(true);
    expect(read.ok && read.event.data).not.toHaveProperty("newOptionalField");
  });

  it("the SDK agrees that extension names are lowercase letters and digits", () => {
    expect(() => new CloudEvent({ ...valid(), causation_id: "x" }, true)).toThrow(ValidationError);
  });
});

describe("trace context", () => {
  it("continues a valid incoming trace and starts a new one otherwise", () => {
    const incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const continued = startTrace(incoming);
    expect(continued.slice(0, 36)).toBe(incoming.slice(0, 36));
    expect(continued).not.toBe(incoming);
    expect(isTraceparent(continued)).toBe(true);
    const fresh = startTrace("00-00000000000000000000000000000000-00f067aa0ba902b7-01");
    expect(fresh.slice(3, 35)).not.toBe("00000000000000000000000000000000");
    expect(isTraceparent(startTrace())).toBe(true);
  });
});
