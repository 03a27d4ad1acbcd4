import { readFileSync } from "node:fs";
import { Parser } from "@asyncapi/parser";
import { inboxOf, recipientOf } from "../../shared/bus/destination";
import { describe, expect, it } from "vitest";
import { buildAsyncApi } from "../../shared/events/asyncapi";
import { deprecationOf, eventTypes } from "../../shared/events/registry";
import { subscriptions } from "../../workers/router/routing-table";

const parse = () => new Parser().parse(readFileSync("docs/asyncapi.json", "utf8"));
const deprecatedTypes = eventTypes.filter((t) => deprecationOf(t) !== undefined);

describe("docs/asyncapi.json", () => {
  it("is what `npm run docs:events` makes from the registry and the subscriptions today", () => {
    expect(JSON.parse(readFileSync("docs/asyncapi.json", "utf8"))).toEqual(buildAsyncApi(subscriptions));
  });

  it("is a valid AsyncAPI 3 document, with no error, describing every event and every subscriber", async () => {
    const { document, diagnostics } = await parse();
    const errors = diagnostics.filter((d) => d.severity === 0);
    expect(errors.map((d) => `${d.path.join(".")}: ${d.message}`)).toEqual([]);
    expect(
      document!
        .components()
        .messages()
        .all()
        .map((m) => m.name())
        .sort(),
    ).toEqual([...eventTypes].sort());
    const receivers = document!
      .operations()
      .filterByReceive()
      .map((o) => o.id());
    expect(receivers.sort()).toEqual(subscriptions.map((s) => `${s.subscriber}-consumes`).sort());
  });

  it("lists every version of a family, each as its own message on the bus", async () => {
    const { document } = await parse();
    const onTheBus = document!
      .channels()
      .get("pizza-events")!
      .messages()
      .all()
      .map((m) => m.name());
    // Every event crosses the bus; commands do not (they go to their recipient's queue).
    expect(onTheBus.sort()).toEqual(eventTypes.filter((t) => recipientOf(t) === undefined).sort());
    for (const family of ["com.plantbasedpizza.order.confirmed", "com.plantbasedpizza.order.completed"]) {
      expect(onTheBus).toContain(`${family}.v1`);
      expect(onTheBus).toContain(`${family}.v2`);
    }
  });

  it("shows each command sent point to point to its recipient's queue, not on the bus", async () => {
    const { document } = await parse();
    const commands = eventTypes.filter((t) => recipientOf(t) !== undefined);
    expect(commands.length).toBeGreaterThan(0);
    for (const type of commands) {
      const queue = inboxOf(recipientOf(type)!).queue;
      const sent = document!
        .operations()
        .all()
        .filter(
          (o) =>
            o.action() === "send" &&
            o
              .messages()
              .all()
              .some((m) => m.name() === type),
        );
      expect(
        sent.map((o) =>
          o
            .channels()
            .all()
            .map((c) => c.address()),
        ),
      ).toEqual([[queue]]);
    }
  });

  it("marks the deprecated versions, and only those, with their sunset, replacement and migration", async () => {
    expect(deprecatedTypes).toEqual(
      expect.arrayContaining([
        "com.plantbasedpizza.order.confirmed.v1",
        "com.plantbasedpizza.order.completed.v1",
      ]),
    );
    const { document } = await parse();
    for (const message of document!.components().messages().all()) {
      const type = message.name()! as (typeof eventTypes)[number];
      const deprecation = deprecationOf(type);
      const json = message.json() as Record<string, unknown>;
      expect(json.deprecated === true, type).toBe(deprecation !== undefined);
      expect(message.payload()!.deprecated(), type).toBe(deprecation !== undefined);
      if (!deprecation) {
        expect(message.extensions().has("x-deprecation"), type).toBe(false);
        continue;
      }
      expect(message.extensions().get("x-deprecation")!.value(), type).toEqual(deprecation);
      expect(message.description(), type).toContain(deprecation.sunset);
      expect(message.description(), type).toContain(deprecation.replacedBy);
      expect(message.externalDocs()!.url(), type).toBe(deprecation.migration);
      // The envelope of a deprecated version carries the CloudEvents deprecation extension.
      const payload = message.payload()!.json() as {
        required: string[];
        properties: Record<string, { const?: unknown }>;
      };
      expect(payload.required).toEqual(expect.arrayContaining(["deprecated", "deprecationsunset"]));
      expect(payload.properties.deprecationsunset!.const).toBe(deprecation.sunset);
      expect(payload.properties.deprecationmigration!.const).toBe(deprecation.migration);
    }
  });

  it("names, on each operation still sending or receiving a deprecated version, that version and its sunset", () => {
    const { operations } = buildAsyncApi(subscriptions) as unknown as {
      operations: Record<string, { messages: { $ref: string }[]; "x-deprecation"?: { message: string }[] }>;
    };
    for (const [id, operation] of Object.entries(operations)) {
      const uses = deprecatedTypes.filter((t) =>
        operation.messages.some((m) => m.$ref.endsWith(`/${t.replaceAll(".", "-")}`)),
      );
      expect(
        (operation["x-deprecation"] ?? []).map((d) => d.message),
        id,
      ).toEqual(uses);
    }
    // The producer of both versions still publishes the deprecated ones until their sunset.
    expect(operations["orders-publishes"]!["x-deprecation"]!.map((d) => d.message)).toEqual(deprecatedTypes);
  });
});
