import { z } from "zod";
import { dataschemaFor, type Deprecation, type EventType } from "../../shared/events/registry";
import type { JsonObject } from "./compatibility";

/**
 * The published contract of one event type and major version: what `npm run schemas:release` writes to
 * `shared/events/published/<type>.json` and `npm run schemas:check` compares the registry with.
 *
 * Each file is the JSON Schema (draft 2020-12) of the event's `data`, exactly as zod 4 prints the
 * registry's schema (`z.toJSONSchema(schema)`: what a producer sends), with at its top:
 *
 *   "$id":          the event's `dataschema` URI (dataschemaFor(type)),
 *   "title":        the type, e.g. "com.plantbasedpizza.order.confirmed.v1",
 *   "description":  the registry's summary,
 *   "x-plantbasedpizza": {
 *     "type":        the type again (the file's key),
 *     "producer":    the context that publishes it,
 *     "shape":       state-transfer | notification | identifiers | command,
 *     "consumers":   the subscribers reading it (sorted), from workers/<context>/subscriptions.ts,
 *     "deprecation": { "since", "sunset", "replacedBy", "migration" }   (only once deprecated; RFC 3339)
 *   }
 *
 * What zod prints, and how to read it: objects are `"type": "object"` with `properties`, `required`
 * (optional fields are simply not listed) and `"additionalProperties": false`, which describes the
 * producer (closed: it strips what it does not declare), not the reader (open: readEvent ignores unknown
 * properties). Enums are `"enum": [...]`; uuids and datetimes carry both `format` and the `pattern`
 * zod checks; integers carry zod's safe-integer bounds. Validating keywords are the contract; `$id`,
 * `title`, `description`, other annotations and the `x-plantbasedpizza` block are not (changes to them
 * are recorded by release, never breaking).
 */
export const METADATA = "x-plantbasedpizza";

export interface ContractMetadata {
  type: string;
  producer: string;
  shape: string;
  consumers: string[];
  deprecation?: Deprecation;
}

/** One published contract: the whole file (a JSON Schema with the metadata block). */
export type PublishedContract = JsonObject;
/** The snapshot: type -> its published contract. */
export type Snapshot = Readonly<Record<string, PublishedContract>>;

/** What the gate needs to know of one registered type and version (an entry of shared/events/registry.ts). */
export interface RegisteredVersion {
  readonly producer: string;
  readonly shape: string;
  readonly summary: string;
  readonly schema: z.ZodType;
  readonly deprecation?: Deprecation;
}

/** The registry as the gate reads it: its entries and its registered downgrades (registry.ts). */
export interface RegistryView {
  readonly versions: Readonly<Record<string, RegisteredVersion>>;
  readonly downgrades: readonly { readonly from: string; readonly to: string }[];
}

/** A subscription as the gate reads it (SubscriptionBase fits). */
export interface SubscriptionView {
  readonly subscriber: string;
  readonly events: { readonly [type: string]: string | undefined };
}

export const consumersOf = (type: string, subscriptions: readonly SubscriptionView[]): string[] =>
  subscriptions
    .filter((s) => Object.hasOwn(s.events, type))
    .map((s) => s.subscriber)
    .sort();

/** The data schema as zod prints it, without its `$schema` (the contract puts it first). */
export function dataSchemaOf(schema: z.ZodType): JsonObject {
  const { $schema: _draft, ...rest } = z.toJSONSchema(schema) as Record<string, unknown>;
  return rest as JsonObject;
}

/** The contract of one registered version as it would be published today. */
export function contractFor(
  type: string,
  version: RegisteredVersion,
  subscriptions: readonly SubscriptionView[],
): PublishedContract {
  const metadata: ContractMetadata = {
    type,
    producer: version.producer,
    shape: version.shape,
    consumers: consumersOf(type, subscriptions),
  };
  if (version.deprecation) {
    const { since, sunset, replacedBy, migration } = version.deprecation;
    metadata.deprecation = { since, sunset, replacedBy, migration };
  }
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: dataschemaFor(type as EventType),
    title: type,
    description: version.summary,
    [METADATA]: metadata as unknown as JsonObject,
    ...dataSchemaOf(version.schema),
  };
}

/** Every registered version's contract as it would be published today. */
export function contractsFor(registry: RegistryView, subscriptions: readonly SubscriptionView[]): Snapshot {
  return Object.fromEntries(
    Object.entries(registry.versions).map(([type, v]) => [type, contractFor(type, v, subscriptions)]),
  );
}

const Metadata = z.object({
  type: z.string().min(1),
  producer: z.string().min(1),
  shape: z.string().min(1),
  consumers: z.array(z.string()),
  deprecation: z
    .object({ since: z.string(), sunset: z.string(), replacedBy: z.string(), migration: z.string() })
    .optional(),
});

/** The metadata block of a published contract; throws, naming the contract, when it is malformed. */
export function metadataOf(contract: PublishedContract, where = "a published contract"): ContractMetadata {
  const parsed = Metadata.safeParse(contract[METADATA]);
  if (!parsed.success)
    throw new Error(`${where}: no valid "${METADATA}" block (${z.prettifyError(parsed.error)})`);
  const { deprecation, ...rest } = parsed.data;
  return deprecation ? { ...rest, deprecation } : rest;
}
