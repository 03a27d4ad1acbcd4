import { z } from "zod";
import type { SubscriptionBase } from "../shared/bus/subscription";
import { sourceOf } from "../shared/events/envelope";
import { dataschemaFor, eventTypes, registry, type EventType } from "../shared/events/registry";

/**
 * The system's event API as an AsyncAPI 3 document, built from the registry and the subscriptions
 * (like docs/EVENTS.md): the bus channel every producer sends to, one channel per subscriber queue,
 * and one message per event type and version, whose payload is the CloudEvents envelope with that
 * type's data schema. `npm run docs:events` writes docs/asyncapi.json; a test validates it with
 * @asyncapi/parser and checks the committed file is current.
 */
const BUS = "pizza-events";

function messageFor(type: EventType) {
  const d = registry[type];
  const { $schema: _ignored, ...data } = z.toJSONSchema(d.schema, {
    target: "draft-7",
    io: "input",
  }) as Record<string, unknown>;
  return {
    name: type,
    title: type,
    summary: d.summary,
    contentType: "application/json",
    payload: {
      type: "object",
      description: "CloudEvents 1.0 structured JSON envelope.",
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
        data,
      },
    },
    examples: [
      {
        name: "example",
        payload: { specversion: "1.0", type, source: sourceOf(d.producer), data: d.example },
      },
    ],
  };
}

const key = (type: string) => type.replaceAll(".", "-");

export function buildAsyncApi(subscriptions: readonly SubscriptionBase[]) {
  const ref = (channel: string, type: string) => ({ $ref: `#/channels/${channel}/messages/${key(type)}` });
  const producers = [...new Set(eventTypes.map((t) => registry[t].producer))];
  const channels: Record<string, unknown> = {
    [BUS]: {
      address: BUS,
      description:
        "The event bus: every producer sends every event here; the router forwards each to its subscribers' queues.",
      messages: Object.fromEntries(
        eventTypes.map((t) => [key(t), { $ref: `#/components/messages/${key(t)}` }]),
      ),
    },
  };
  const operations: Record<string, unknown> = {};
  for (const producer of producers) {
    operations[`${producer}-publishes`] = {
      action: "send",
      channel: { $ref: `#/channels/${BUS}` },
      summary: `What the ${producer} context publishes.`,
      messages: eventTypes.filter((t) => registry[t].producer === producer).map((t) => ref(BUS, t)),
    };
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
      messages: types.map((t) => ref(s.queue, t)),
    };
  }
  return {
    asyncapi: "3.0.0",
    info: {
      title: "Plant Based Pizza business events",
      version: "1.0.0",
      description:
        "Every business event and asynchronous command, by type and major version. Generated from shared/events/registry.ts.",
    },
    defaultContentType: "application/json",
    channels,
    operations,
    components: { messages: Object.fromEntries(eventTypes.map((t) => [key(t), messageFor(t)])) },
  };
}
