import { z } from "zod";
import { versionOf } from "../../shared/events/registry";
import {
  compareSchemas,
  DIRECTION_EXPLAINED,
  isBreaking,
  type Json,
  type JsonObject,
  type SchemaChange,
} from "./compatibility";
import { emittedWith } from "./emitted";
import {
  consumersOf,
  contractsFor,
  metadataOf,
  type ContractMetadata,
  type RegistryView,
  type Snapshot,
  type SubscriptionView,
} from "./published";

/**
 * The breaking-change gate: compares the registry and the subscriptions of today with the published
 * snapshot (shared/events/published/) and says what may ship. Pure: the CLI (scripts/schemas.ts) reads
 * the files and scans the producers' source; tests feed it edited registries.
 *
 * The compatibility rule (scripts/contract/compatibility.ts explains it in full): every event valid
 * under the new schema must be readable by a reader of the old one, AND every event valid under the
 * old one (already in queues, replays) must still validate under the new one. Producers are closed
 * (createEvent strips unknown fields) and readers are open (readEvent ignores them), so adding or
 * removing an OPTIONAL property is safe whatever `additionalProperties` says.
 *
 * It FAILS on:
 *  a. `breaking-change`: a published version changed in a way that breaks the rule;
 *  b. `not-emitted`: a subscription names a type or version that no producer emits (its literal is not
 *     in its producer's source and no registered downgrade derives it from an emitted type);
 *  c. `unpublished`: a producer emits a type/version with no published schema (run schemas:release);
 *  d. `past-sunset`: a subscription reads a version past its sunset;
 *  e. `sunset-shortened`: a sunset moved earlier than the published one (later is fine);
 *  and, because they would let a break through the rest of the gate: `removed-before-sunset` (a
 *  published version left the registry before its published sunset), `closed-reader` (a z.strictObject:
 *  its readers reject unknown properties, so the open-reader premise fails) and `invalid-deprecation`.
 * It REPORTS, without failing: consumers and producers added or removed since the snapshot, compatible
 * changes not yet released, new versions nobody emits yet, deprecation changes, subscribers still on a
 * deprecated version.
 */
export type FailureKind =
  | "breaking-change"
  | "not-emitted"
  | "unpublished"
  | "past-sunset"
  | "sunset-shortened"
  | "removed-before-sunset"
  | "closed-reader"
  | "invalid-deprecation";

export type ReportKind =
  | "compatible-change"
  | "consumers-changed"
  | "producer-changed"
  | "new-version"
  | "not-emitted-yet"
  | "deprecation-changed"
  | "deprecated-in-use"
  | "retired"
  | "metadata-changed";

export interface Finding<K extends string = FailureKind | ReportKind> {
  kind: K;
  /** The event type and version concerned. */
  type: string;
  message: string;
  /** The field, for a change to a schema (`data.total`). */
  path?: string;
  /** The subscribers affected, from the subscriptions. */
  subscribers?: string[];
}

export interface GateInput {
  registry: RegistryView;
  subscriptions: readonly SubscriptionView[];
  /** Types whose literal appears in their producer's source (the CLI scans); downgrades are added here. */
  emitted: ReadonlySet<string>;
  snapshot: Snapshot;
  now: Date;
}

export interface GateResult {
  failures: Finding<FailureKind>[];
  reports: Finding<ReportKind>[];
  /**
   * What `npm run schemas:release` writes: every registered version's contract as of today (new and
   * compatibly changed versions, updated consumers and deprecations), and the retired files it
   * deletes; `undefined` when a failure forbids recording it (see BLOCKS_RELEASE).
   */
  release?: { snapshot: Snapshot; retired: string[] };
}

/** Failures release refuses to record (the others it cannot fix, or, for `unpublished`, fixes). */
export const BLOCKS_RELEASE: ReadonlySet<FailureKind> = new Set([
  "breaking-change",
  "sunset-shortened",
  "removed-before-sunset",
  "closed-reader",
  "invalid-deprecation",
]);

export const RULE =
  "every event valid under the new schema must be readable by a reader of the old one, and every event valid under the old one (already in queues, replays) must still validate under the new one";

const HOW_TO_CHANGE = "see docs/rfcs/ and the README's 'Changing an event'";

export function checkContracts(input: GateInput): GateResult {
  const { registry, subscriptions, snapshot, now } = input;
  const failures: Finding<FailureKind>[] = [];
  const reports: Finding<ReportKind>[] = [];
  const registered = Object.keys(registry.versions);
  const emitted = emittedWith(registry, input.emitted);
  const current = contractsFor(registry, subscriptions);
  const published = new Map<string, ContractMetadata>(
    Object.entries(snapshot).map(([type, c]) => [
      type,
      metadataOf(c, `shared/events/published/${type}.json`),
    ]),
  );
  const readers = (type: string) => consumersOf(type, subscriptions);

  for (const type of registered) {
    const version = registry.versions[type]!;
    const before = snapshot[type];
    const was = published.get(type);

    // Premises and the deprecation itself.
    for (const path of closedObjects(version.schema))
      failures.push({
        kind: "closed-reader",
        type,
        path,
        subscribers: readers(type),
        message:
          `${name(type)}: ${path} is a closed object for its readers (z.strictObject: they reject unknown properties), ` +
          "so any new optional field would break them and the gate's open-reader rule would not hold. " +
          `Declare it with z.object (readers ignore what they do not know). ${affected(readers(type))}`,
      });
    failures.push(...deprecationProblems(type, version.deprecation, registry));

    if (!before || !was) {
      if (emitted.has(type))
        failures.push({
          kind: "unpublished",
          type,
          subscribers: readers(type),
          message:
            `${name(type)} is emitted by ${version.producer} (${emitted.get(type)}) but has no published schema ` +
            `in shared/events/published/: run \`npm run schemas:release\` and commit ${type}.json. ${affected(readers(type))}`,
        });
      else
        reports.push({
          kind: "not-emitted-yet",
          type,
          message: `${name(type)} is registered but not published yet and nobody emits it yet: \`npm run schemas:release\` publishes it.`,
        });
      continue;
    }

    // a. The schema of a published version.
    const changes = compareSchemas(before, current[type]!);
    for (const change of changes.filter(isBreaking))
      failures.push(breakingChange(type, change, readers(type), registered));
    for (const change of changes.filter((c) => !isBreaking(c)))
      reports.push({
        kind: "compatible-change",
        type,
        path: change.path,
        message: `${name(type)}: compatible change at ${change.path}: ${change.change} (was ${change.was}, now ${change.now})${change.note ? `; ${change.note}` : ""}. \`npm run schemas:release\` records it.`,
      });

    // e. The deprecation: a sunset may move later, never earlier.
    const sunsetWas = was.deprecation?.sunset;
    const sunsetNow = version.deprecation?.sunset;
    if (sunsetWas !== undefined && sunsetNow !== undefined && Date.parse(sunsetNow) < Date.parse(sunsetWas)) {
      failures.push({
        kind: "sunset-shortened",
        type,
        subscribers: readers(type),
        message:
          `${name(type)}: sunset moved earlier (was ${sunsetWas}, now ${sunsetNow}). A sunset may move later, never earlier ` +
          "(the CloudEvents deprecation extension): subscribers planned their move by the published date. " +
          `${affected(readers(type))} How to proceed: keep the sunset ${sunsetWas} or move it later.`,
      });
    } else if (!same(was.deprecation, version.deprecation)) {
      reports.push({
        kind: "deprecation-changed",
        type,
        message: `${name(type)}: deprecation ${describeDeprecation(was.deprecation)} -> ${describeDeprecation(version.deprecation)}${
          sunsetWas && sunsetNow && sunsetNow !== sunsetWas ? " (sunset moved later: allowed)" : ""
        }. \`npm run schemas:release\` records it.`,
      });
    }

    // Metadata: reported, recorded by release.
    const consumersNow = readers(type);
    const added = consumersNow.filter((c) => !was.consumers.includes(c));
    const removed = was.consumers.filter((c) => !consumersNow.includes(c));
    if (added.length || removed.length)
      reports.push({
        kind: "consumers-changed",
        type,
        subscribers: consumersNow,
        message: `${name(type)}: consumers ${[
          added.length ? `added: ${added.join(", ")}` : "",
          removed.length ? `removed: ${removed.join(", ")}` : "",
        ]
          .filter(Boolean)
          .join("; ")} (now: ${consumersNow.join(", ") || "none"}). \`npm run schemas:release\` records it.`,
      });
    if (was.producer !== version.producer)
      reports.push({
        kind: "producer-changed",
        type,
        message: `${name(type)}: producer removed: ${was.producer}; producer added: ${version.producer}. \`npm run schemas:release\` records it.`,
      });
    if (was.shape !== version.shape || before.description !== version.summary)
      reports.push({
        kind: "metadata-changed",
        type,
        message: `${name(type)}: its shape or summary changed (not part of the contract's validation). \`npm run schemas:release\` records it.`,
      });
    if (!emitted.has(type) && consumersNow.length === 0)
      reports.push({
        kind: "not-emitted-yet",
        type,
        message: `${name(type)} is published but nobody emits it today and nobody subscribes to it.`,
      });
  }

  // Published versions that left the registry.
  const retired: string[] = [];
  for (const [type, was] of published) {
    if (Object.hasOwn(registry.versions, type)) continue;
    const sunset = was.deprecation?.sunset;
    if (sunset !== undefined && now.getTime() >= Date.parse(sunset)) {
      retired.push(type);
      reports.push({
        kind: "retired",
        type,
        message: `${name(type)} left the registry after its sunset (${sunset}): \`npm run schemas:release\` deletes its published file.`,
      });
    } else {
      failures.push({
        kind: "removed-before-sunset",
        type,
        subscribers: was.consumers,
        message:
          `${name(type)} is published but no longer in the registry, ${sunset ? `before its sunset ${sunset}` : "without a deprecation and a sunset"}: ` +
          "readers dead-letter events of an unregistered type, and some are still in queues and replays. " +
          `Subscribers when it was published: ${was.consumers.join(", ") || "none"}. How to proceed: keep it registered, ` +
          `deprecated with a sunset (replacedBy, migration), and remove it after the sunset: ${HOW_TO_CHANGE}.`,
      });
    }
  }

  // b and d. What the subscriptions read.
  for (const s of subscriptions) {
    for (const type of Object.keys(s.events)) {
      const version = registry.versions[type];
      if (!version) {
        failures.push({
          kind: "not-emitted",
          type,
          subscribers: [s.subscriber],
          message: `${s.subscriber} subscribes to ${type}, which is not in the registry, so no producer emits it. Subscribers affected: ${s.subscriber}. How to proceed: subscribe to a registered type its producer emits.`,
        });
        continue;
      }
      if (!emitted.has(type)) {
        const family = familyOf(type);
        const alternatives = [...emitted.keys()].filter((t) => t !== type && familyOf(t) === family);
        failures.push({
          kind: "not-emitted",
          type,
          subscribers: readers(type),
          message:
            `${s.subscriber} subscribes to ${name(type)}, which no producer emits: its producer, ${version.producer}, never names it ` +
            `in workers/${version.producer}/ or durable-objects/${version.producer}/, and no registered downgrade derives it from an emitted type. ` +
            `${affected(readers(type))} How to proceed: subscribe to what ${version.producer} emits${
              alternatives.length ? ` (${alternatives.join(", ")})` : ""
            }, or make ${version.producer} emit it.`,
        });
      }
      const deprecation = version.deprecation;
      if (!deprecation) continue;
      const sunset = Date.parse(deprecation.sunset);
      if (now.getTime() >= sunset) {
        failures.push({
          kind: "past-sunset",
          type,
          subscribers: [s.subscriber],
          message:
            `${s.subscriber} subscribes to ${name(type)}, past its sunset (${deprecation.sunset}; now ${now.toISOString()}): ` +
            `it is no longer published, derived or routed. Subscribers affected: ${s.subscriber}. How to proceed: move ${s.subscriber} ` +
            `to ${deprecation.replacedBy} (${deprecation.migration}).`,
        });
      } else {
        const days = Math.ceil((sunset - now.getTime()) / 86_400_000);
        reports.push({
          kind: "deprecated-in-use",
          type,
          subscribers: [s.subscriber],
          message: `${s.subscriber} still reads ${name(type)}, deprecated since ${deprecation.since}, sunset ${deprecation.sunset} (in ${days} days): move it to ${deprecation.replacedBy} (${deprecation.migration}).`,
        });
      }
    }
  }

  const blocked = failures.some((f) => BLOCKS_RELEASE.has(f.kind));
  return blocked ? { failures, reports } : { failures, reports, release: { snapshot: current, retired } };
}

// ---- Messages ---------------------------------------------------------------------------------------

function familyOf(type: string): string | undefined {
  try {
    return versionOf(type).family;
  } catch {
    return undefined;
  }
}

/** `com.plantbasedpizza.order.confirmed.v1 (order.confirmed, version 1)`. */
function name(type: string): string {
  try {
    const { family, version } = versionOf(type);
    return `${type} (${family.replace(/^com\.plantbasedpizza\./, "")}, version ${version})`;
  } catch {
    return type;
  }
}

function affected(subscribers: readonly string[]): string {
  return subscribers.length
    ? `Subscribers affected: ${subscribers.join(", ")}.`
    : "Subscribers affected: none in this repository today (but events already in queues and replays, and readers we do not know of, still read it).";
}

/** The next major version of the type's family: the way to ship a breaking change. */
function nextVersion(type: string, registered: readonly string[]): string {
  const { family, version } = versionOf(type);
  const highest = Math.max(
    version,
    ...registered
      .map(familyAndVersion)
      .filter((v) => v?.family === family)
      .map((v) => v!.version),
  );
  return `${family}.v${highest + 1}`;
}
function familyAndVersion(type: string): { family: string; version: number } | undefined {
  try {
    return versionOf(type);
  } catch {
    return undefined;
  }
}

export function breakingChange(
  type: string,
  change: SchemaChange,
  subscribers: string[],
  registered: readonly string[],
): Finding<FailureKind> {
  const v = familyAndVersion(type);
  const proceed = v
    ? `publish it as ${nextVersion(type, registered)} beside v${v.version} (and keep v${v.version} as it is until its subscribers move): ${HOW_TO_CHANGE}.`
    : `publish it as a new major version beside this one: ${HOW_TO_CHANGE}.`;
  return {
    kind: "breaking-change",
    type,
    path: change.path,
    subscribers,
    message: [
      `${name(type)}: breaking change at ${change.path}: ${change.change} (was ${change.was}, now ${change.now}).`,
      `  Why: ${DIRECTION_EXPLAINED[change.direction]}. The rule: ${RULE}.`,
      ...(change.note ? [`  Note: ${change.note}.`] : []),
      `  ${affected(subscribers)}`,
      `  How to proceed: ${proceed}`,
    ].join("\n"),
  };
}

function describeDeprecation(d: ContractMetadata["deprecation"]): string {
  return d ? `{ since ${d.since}, sunset ${d.sunset}, replacedBy ${d.replacedBy} }` : "none";
}

const same = (a: ContractMetadata["deprecation"], b: ContractMetadata["deprecation"]) =>
  a === undefined || b === undefined
    ? a === b
    : a.since === b.since &&
      a.sunset === b.sunset &&
      a.replacedBy === b.replacedBy &&
      a.migration === b.migration;

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function deprecationProblems(
  type: string,
  deprecation: ContractMetadata["deprecation"],
  registry: RegistryView,
): Finding<FailureKind>[] {
  if (!deprecation) return [];
  const problems: string[] = [];
  for (const key of ["since", "sunset"] as const)
    if (!RFC3339.test(deprecation[key]) || Number.isNaN(Date.parse(deprecation[key])))
      problems.push(`${key} ${JSON.stringify(deprecation[key])} is not an RFC 3339 date-time`);
  if (Date.parse(deprecation.sunset) < Date.parse(deprecation.since))
    problems.push(`the sunset ${deprecation.sunset} is before ${deprecation.since}`);
  if (!Object.hasOwn(registry.versions, deprecation.replacedBy))
    problems.push(`replacedBy ${deprecation.replacedBy} is not a registered type`);
  return problems.map((problem) => ({
    kind: "invalid-deprecation" as const,
    type,
    message: `${name(type)}: its deprecation is invalid: ${problem}.`,
  }));
}

/**
 * Objects whose readers reject unknown properties: as readers parse (zod's input side), a z.object
 * prints no `additionalProperties` (it ignores unknown keys) and a z.strictObject prints `false`.
 */
function closedObjects(schema: z.ZodType): string[] {
  const found: string[] = [];
  const visit = (node: Json, path: string) => {
    if (Array.isArray(node)) return node.forEach((n) => visit(n, path));
    if (typeof node !== "object" || node === null) return;
    const o = node as JsonObject;
    if (o.additionalProperties === false && o.type === "object") found.push(path);
    for (const [key, value] of Object.entries(o)) {
      if (key === "properties" && typeof value === "object" && value !== null && !Array.isArray(value))
        for (const [prop, s] of Object.entries(value as JsonObject)) visit(s, `${path}.${prop}`);
      else if (key === "items") visit(value, `${path}[]`);
      else if (key !== "enum" && key !== "const") visit(value, path);
    }
  };
  visit(z.toJSONSchema(schema, { io: "input" }) as Json, "data");
  return [...new Set(found)];
}
