import { z } from "zod";
import { inboxOf, recipientOf } from "../bus/destination";
import type { SubscriptionBase } from "../bus/subscription";
import { deprecationSentence } from "./catalog-page";
import { sourceOf } from "./envelope";
import { dataschemaFor, deprecationOf, downgrades, eventTypes, registry, type EventType } from "./registry";

/**
 * The system's event API as an AsyncAPI 3 document, built from the registry and the subscriptions
 * (like docs/EVENTS.md): the bus channel every producer sends to, one channel per subscriber queue,
 * and one message per event type and version, whose payload is the CloudEvents envelope with that
 * type's data schema. A deprecated version's message says so: `deprecated: true` on the message and
 * its payload schema, the CloudEvents deprecation extension in the envelope, and its since, sunset,
 * replacement and migration in the description, `externalDocs` and an `x-deprecation` extension
 * (AsyncAPI 3.0 has no `deprecated` on operations: an operation that sends or receives a deprecated
 * version names it in its description and its own `x-deprecation`).
 *
 * Pure (no Node API): the orders worker serves it at GET /catalog/asyncapi.json, and `npm run
 * docs:events` writes the same document to docs/asyncapi.json; a test validates it with
 * @asyncapi/parser and checks the committed file is current.
 */
const BUS = "pizza-events";

/** The deprecation extension every event of a deprecated version carries (envelope.ts), as fixed values. */
function deprecationExtension(type: EventType) {
  const d = deprecationOf(type);
  if (!d) return { properties: {}, required: [] };
  return {
    properties: {
      deprecated: {
        const: true,
        description: "CloudEvents deprecation extension: this version is deprecated.",
      },
      deprecationfrom: { const: d.since, description: "Deprecated since (RFC 3339)." },
      deprecationsunset: {
        const: d.sunset,
        description: "After this instant the version is no longer published, derived or routed.",
      },
      deprecationmigration: { const: d.migration, description: "How to move to the version replacing it." },
    },
    required: ["deprecated", "deprecationfrom", "deprecationsunset", "deprecationmigration"],
  };
}

/** What AsyncAPI says of a deprecated version, beyond `deprecated: true`. */
function deprecationFields(type: EventType) {
  const d = deprecationOf(type);
  if (!d) return {};
  const derivedFrom = downgrades.filter((g) => g.to === type).map((g) => g.from);
  return {
    description: [
      deprecationSentence(d),
      ...derivedFrom.map(
        (from) => `Derived from ${from} by a registered downgrade and published beside it until the sunset.`,
      ),
    ].join("\n\n"),
    deprecated: true,
    externalDocs: { description: `Migrating to ${d.replacedBy}`, url: d.migration },
    "x-deprecation": { ...d },
  };
}

function messageFor(type: EventType) {
  const d = registry[type];
  const deprecated = deprecationOf(type) !== undefined;
  const { $schema: _ignored, ...data } = z.toJSONSchema(d.schema, {
    target: "draft-7",
    io: "input",
  }) as Record<string, unknown>;
  const extension = deprecationExtension(type);
  return {
    name: type,
    title: type,
    summary: d.summary,
    ...deprecationFields(type),
    contentType: "application/json",
    payload: {
      type: "object",
      description: deprecated
        ? `CloudEvents 1.0 structured JSON envelope, with the deprecation extension. ${deprecationSentence(deprecationOf(type)!)}`
        : "CloudEvents 1.0 structured JSON envelope.",
      ...(deprecated ? { deprecated: true } : {}),
      required: [
        "specversion",
        "id",
        "source",
        "type",
        "time",
        "datacontenttype",
        "dataschema",
        "traceparent",
        "causationid",
        ...extension.required,
        "data",
      ],
      properties: {
        specversion: { const: "1.0" },
        id: {
          type: "string",
          description: "Unique per event; with source, the key consumers deduplicate on.",
        },
        source: { const: sourceOf(d.producer) },
        type: { const: type },
        time: { type: "string", format: "date-time" },
        subject: { type: "string", description: "The order (or customer) the event is about." },
        datacontenttype: { const: "application/json" },
        dataschema: { const: dataschemaFor(type) },
        traceparent: {
          type: "string",
          description: "W3C trace context started at the API request, copied unchanged.",
        },
        causationid: { type: "string", description: "Id of the command or event that caused this one." },
        ...extension.properties,
        data: deprecated ? { ...data, deprecated: true } : data,
      },
    },
    examples: [
      {
        name: "example",
        payload: {
          specversion: "1.0",
          type,
          source: sourceOf(d.producer),
          ...exampleExtension(type),
          data: d.example,
        },
      },
    ],
  };
}

function exampleExtension(type: EventType) {
  const d = deprecationOf(type);
  if (!d) return {};
  return {
    deprecated: true,
    deprecationfrom: d.since,
    deprecationsunset: d.sunset,
    deprecationmigration: d.migration,
  };
}

const key = (type: string) => type.replaceAll(".", "-");

/** An operation's word on the deprecated versions among its messages (AsyncAPI 3.0 operations have no `deprecated`). */
function deprecatedAmong(types: readonly EventType[], verb: string) {
  const deprecated = types.filter((t) => deprecationOf(t) !== undefined);
  if (deprecated.length === 0) return {};
  return {
    description: deprecated
      .map((t) => {
        const d = deprecationOf(t)!;
        return `${verb} the deprecated ${t} until its sunset ${d.sunset}; it is replaced by ${d.replacedBy} (${d.migration}).`;
      })
      .join("\n"),
    "x-deprecation": deprecated.map((t) => ({ message: t, ...deprecationOf(t)! })),
  };
}

export function buildAsyncApi(subscriptions: readonly SubscriptionBase[]) {
  const ref = (channel: string, type: string) => ({ $ref: `#/channels/${channel}/messages/${key(type)}` });
  const producers = [...new Set(eventTypes.map((t) => registry[t].producer))];
  // Commands go point to point to their recipient's queue; only events cross the bus.
  const isEvent = (t: EventType) => recipientOf(t) === undefined;
  const queueOf = (recipient: string) => inboxOf(recipient).queue;
  const channels: Record<string, unknown> = {
    [BUS]: {
      address: BUS,
      description:
        "The event bus: every producer sends every event here (to one of its shards, pizza-events, pizza-events-1, …, picked by the event's subject); the router forwards each to its subscribers' queues. Commands do not cross it: they go straight to their recipient's queue.",
      messages: Object.fromEntries(
        eventTypes.filter(isEvent).map((t) => [key(t), { $ref: `#/components/messages/${key(t)}` }]),
      ),
    },
  };
  const operations: Record<string, unknown> = {};
  for (const producer of producers) {
    const types = eventTypes.filter((t) => registry[t].producer === producer);
    const events = types.filter(isEvent);
    if (events.length > 0)
      operations[`${producer}-publishes`] = {
        action: "send",
        channel: { $ref: `#/channels/${BUS}` },
        summary: `What the ${producer} context publishes.`,
        ...deprecatedAmong(events, "Still publishes"),
        messages: events.map((t) => ref(BUS, t)),
      };
    for (const recipient of new Set(types.flatMap((t) => recipientOf(t) ?? []))) {
      const commands = types.filter((t) => recipientOf(t) === recipient);
      operations[`${producer}-commands-${recipient}`] = {
        action: "send",
        channel: { $ref: `#/channels/${queueOf(recipient)}` },
        summary: `What the ${producer} context asks ${recipient} to do, point to point.`,
        ...deprecatedAmong(commands, "Still sends"),
        messages: commands.map((t) => ref(queueOf(recipient), t)),
      };
    }
  }
  for (const s of subscriptions) {
    const types = Object.keys(s.events) as EventType[];
    channels[s.queue] = {
      address: s.queue,
      description: `The ${s.subscriber} context's own queue (dead letters: ${s.deadLetterQueue}).`,
      messages: Object.fromEntries(types.map((t) => [key(t), { $ref: `#/components/messages/${key(t)}` }])),
    };
    operations[`${s.subscriber}-consumes`] = {
      action: "receive",
      channel: { $ref: `#/channels/${s.queue}` },
      summary: types.map((t) => `${t}: ${s.events[t]}`).join("\n"),
      ...deprecatedAmong(types, "Still reads"),
      messages: types.map((t) => ref(s.queue, t)),
    };
  }
  return {
    asyncapi: "3.0.0",
    info: {
      title: "Plant Based Pizza business events",
      version: "1.0.0",
      description:
        "Every business event and asynchronous command, by type and major version. Generated from shared/events/registry.ts. A deprecated version is marked `deprecated` (its message and payload schema), with its since, sunset, replacement and migration; it is published and routed until its sunset.",
    },
    defaultContentType: "application/json",
    channels,
    operations,
    components: { messages: Object.fromEntries(eventTypes.map((t) => [key(t), messageFor(t)])) },
  };
}
