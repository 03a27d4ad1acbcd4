import { z } from "zod";
import {
  dataschemaFor,
  deprecationOf,
  downgradesFrom,
  isPastSunset,
  isRegistered,
  registry,
  type EventData,
  type EventType,
} from "./registry";
import { isTraceparent } from "./trace";

/**
 * A business event in a CloudEvents 1.0 structured JSON envelope. The envelope is the "metadata" half
 * of the talk's metadata/data pattern; `data` is the payload whose shape the registry fixes.
 * Extensions (lowercase letters and digits only, per the spec): `traceparent` ties every hop to the
 * API request that started it; `causationid` is the id of the command or event that caused this one.
 */
export interface PizzaEvent<T extends EventType = EventType> {
  specversion: "1.0";
  id: string;
  source: string;
  type: T;
  time: string;
  subject?: string;
  datacontenttype: "application/json";
  dataschema: string;
  traceparent: string;
  causationid: string;
  /** The CloudEvents deprecation extension, on every event of a deprecated version. */
  deprecated?: true;
  deprecationfrom?: string;
  deprecationsunset?: string;
  deprecationmigration?: string;
  data: EventData<T>;
}

/** Any registered event, discriminated by `type` (so a `switch (event.type)` narrows `data`). */
export type AnyPizzaEvent = { [T in EventType]: PizzaEvent<T> }[EventType];

/**
 * A new event as business rules decide it: its type and data, before it gets its envelope (id, time,
 * trace, causation) from `createEvent`. A PizzaEvent is one too, so rules can read either.
 */
export type NewEvent<T extends EventType = EventType> = { [K in T]: { type: K; data: EventData<K> } }[T];

export interface Causation {
  /** Trace context started at the API request; copied unchanged from the causing event. */
  traceparent: string;
  /** Id of the command or event that caused this one. */
  causationid: string;
  /** What the event is about: the order id where there is one. */
  subject?: string;
}

/** Source URI of each producing context: `/contexts/orders`, `/contexts/kitchen`, … */
export function sourceOf(producer: string): string {
  return `/contexts/${producer}`;
}

/**
 * Builds an event of a registered type. The payload is parsed by the type's schema, so an event whose
 * data does not match cannot be built (the type parameter already stops unregistered types at compile
 * time; the parse stops mismatched payloads at run time). Unknown fields are stripped: be conservative
 * in what you send.
 */
export function createEvent<T extends EventType>(
  type: T,
  data: EventData<T>,
  cause: Causation,
  now: Date = new Date(),
): PizzaEvent<T> {
  if (!isRegistered(type)) throw new Error(`unregistered event type ${String(type)}`);
  if (isPastSunset(type, now))
    throw new Error(`${type} is past its sunset: publish ${deprecationOf(type)!.replacedBy}`);
  if (!isTraceparent(cause.traceparent))
    throw new Error("createEvent: traceparent is not a W3C trace context");
  const definition = registry[type];
  const event: PizzaEvent<T> = {
    specversion: "1.0",
    id: crypto.randomUUID(),
    source: sourceOf(definition.producer),
    type,
    time: now.toISOString(),
    datacontenttype: "application/json",
    dataschema: dataschemaFor(type),
    traceparent: cause.traceparent,
    causationid: cause.causationid,
    data: definition.schema.parse(data) as EventData<T>,
  };
  if (cause.subject !== undefined) event.subject = cause.subject;
  const deprecation = deprecationOf(type);
  if (deprecation) {
    event.deprecated = true;
    event.deprecationfrom = deprecation.since;
    event.deprecationsunset = deprecation.sunset;
    event.deprecationmigration = deprecation.migration;
  }
  return event;
}

/**
 * What a producer publishes for one of its events: the event itself and, during a migration window,
 * every older version still read by someone, derived by its registered downgrade (registry.ts), with
 * the same trace, cause and subject. Publishers put all of them in the same outbox transaction, so a
 * v1 subscriber gets v1 of every order for exactly as long as a v2 subscriber gets v2. Past an older
 * version's sunset it is no longer derived.
 */
export function publishedVersions(event: AnyPizzaEvent, now: Date = new Date()): AnyPizzaEvent[] {
  const cause: Causation = { traceparent: event.traceparent, causationid: event.causationid };
  if (event.subject !== undefined) cause.subject = event.subject;
  const older = downgradesFrom(event.type)
    .filter((d) => !isPastSunset(d.to, now))
    .map((d) => createEvent(d.to, d.derive(event.data) as never, cause, now) as AnyPizzaEvent);
  return [event, ...older];
}

/** Gives a decided event (type and data, see NewEvent) its envelope, as `createEvent` does. */
export function envelop(event: NewEvent, cause: Causation): AnyPizzaEvent {
  // The union loses the link between `type` and `data` that NewEvent guarantees; createEvent re-checks it.
  return createEvent(event.type, event.data as never, cause) as AnyPizzaEvent;
}

const Envelope = z.object({
  specversion: z.literal("1.0"),
  id: z.string().min(1),
  source: z.string().min(1),
  type: z.string().min(1),
  time: z.iso.datetime({ offset: true }),
  subject: z.string().min(1).optional(),
  datacontenttype: z.literal("application/json"),
  dataschema: z.url(),
  traceparent: z.string().refine(isTraceparent, "not a W3C traceparent"),
  causationid: z.string().min(1),
  // The deprecation extension: kept, so a consumer can see that what it reads is going away.
  deprecated: z.literal(true).optional(),
  deprecationfrom: z.iso.datetime({ offset: true }).optional(),
  deprecationsunset: z.iso.datetime({ offset: true }).optional(),
  deprecationmigration: z.url().optional(),
  data: z.unknown(),
});

export type ReadResult =
  { ok: true; event: AnyPizzaEvent } | { ok: false; reason: string; type?: string; id?: string };

function describeIssues(prefix: string, error: z.ZodError): string {
  return error.issues
    .map((i) => {
      const path = [prefix, ...i.path.map(String)].filter(Boolean).join(".");
      return path ? `${path}: ${i.message}` : i.message;
    })
    .join("; ");
}

/**
 * The anti-corruption layer every consumer (and the router) reads through: checks the envelope, that
 * the type is registered, that `dataschema` names that type's schema, and the payload against it.
 * Liberal in what it accepts: unknown envelope extensions and unknown data fields are tolerated
 * (stripped from `data`), so producers can add optional fields without breaking anyone.
 */
export function readEvent(raw: unknown): ReadResult {
  const envelope = Envelope.safeParse(raw);
  const hint = typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>) : {};
  const type = typeof hint.type === "string" ? hint.type : undefined;
  const id = typeof hint.id === "string" ? hint.id : undefined;
  if (!envelope.success)
    return { ok: false, reason: `invalid envelope: ${describeIssues("", envelope.error)}`, type, id };
  const e = envelope.data;
  if (!isRegistered(e.type)) return { ok: false, reason: `unregistered event type ${e.type}`, type, id };
  if (e.dataschema !== dataschemaFor(e.type)) {
    return { ok: false, reason: `dataschema ${e.dataschema} does not match type ${e.type}`, type, id };
  }
  // Only an event's registered producer may publish it: a forged source (say, an operator's hand-made
  // refund, or a repeat under another source to slip past inbox deduplication) is refused here.
  const producerSource = sourceOf(registry[e.type].producer);
  if (e.source !== producerSource) {
    return {
      ok: false,
      reason: `source ${e.source} is not the producer of ${e.type} (${producerSource})`,
      type,
      id,
    };
  }
  const data = registry[e.type].schema.safeParse(e.data);
  if (!data.success)
    return { ok: false, reason: `invalid data: ${describeIssues("data", data.error)}`, type, id };
  return { ok: true, event: { ...(e as Omit<typeof e, "data">), data: data.data } as AnyPizzaEvent };
}
