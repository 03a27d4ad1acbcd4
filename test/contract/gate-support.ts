import { expect } from "vitest";
import type { z } from "zod";
import { checkContracts, type Finding, type GateResult } from "../../scripts/contract/gate";
import {
  consumersOf,
  contractsFor,
  type RegisteredVersion,
  type RegistryView,
  type Snapshot,
  type SubscriptionView,
} from "../../scripts/contract/published";
import { downgrades, registry } from "../../shared/events/registry";
import { subscriptions as realSubscriptions } from "../../workers/router/routing-table";

/** Inside the migration window of RFC 0001 (v1 of confirmed/completed deprecated, sunset 2027-03-31). */
export const NOW = new Date("2026-12-01T00:00:00Z");
export const AFTER_SUNSET = new Date("2027-04-01T00:00:00Z");
export const EVERY_TYPE: ReadonlySet<string> = new Set(Object.keys(registry));

type Edits = Readonly<Record<string, Partial<RegisteredVersion> | z.ZodType>>;

/** The real registry with some entries edited: a new schema (a zod schema) or other fields. */
export function registryWith(edits: Edits = {}, without: readonly string[] = []): RegistryView {
  const versions: Record<string, RegisteredVersion> = { ...registry };
  for (const [type, edit] of Object.entries(edits)) {
    const base = versions[type]!;
    versions[type] = "_zod" in edit ? { ...base, schema: edit as z.ZodType } : { ...base, ...edit };
  }
  for (const type of without) delete versions[type];
  return { versions, downgrades };
}

export interface Scenario {
  /** Edits to the registry the snapshot was released from (default: the real registry). */
  before?: Edits;
  /** Edits to the registry of today (default: the real registry). */
  after?: Edits;
  /** Types registered before, and taken out of today's registry. */
  removed?: readonly string[];
  subscriptions?: readonly SubscriptionView[];
  /** Subscriptions when the snapshot was released (default: those of today). */
  subscriptionsBefore?: readonly SubscriptionView[];
  emitted?: ReadonlySet<string>;
  /** Types the snapshot does not have. */
  unpublished?: readonly string[];
  now?: Date;
}

/** Releases a snapshot from the `before` registry, then runs the gate on the `after` one. */
export function gate(s: Scenario = {}): GateResult {
  const subscriptions = s.subscriptions ?? realSubscriptions;
  const snapshot: Record<string, Snapshot[string]> = {
    ...contractsFor(registryWith(s.before), s.subscriptionsBefore ?? subscriptions),
  };
  for (const type of s.unpublished ?? []) delete snapshot[type];
  return checkContracts({
    registry: registryWith(s.after, s.removed),
    subscriptions,
    emitted: s.emitted ?? EVERY_TYPE,
    snapshot,
    now: s.now ?? NOW,
  });
}

export const subscribersOf = (type: string): string[] => consumersOf(type, realSubscriptions);

/**
 * The gate failed on a breaking change of `type` at `path`, and the message says everything a producer
 * needs: the type and version, the field, the change with was/now, the subscribers, how to proceed.
 */
export function expectBreaking(
  result: GateResult,
  expected: { type: string; path: string; change: string; was?: string; now?: string },
): Finding {
  const failure = result.failures.find(
    (f) =>
      f.kind === "breaking-change" &&
      f.type === expected.type &&
      f.path === expected.path &&
      f.message.includes(`: ${expected.change} (`),
  );
  expect(
    failure,
    `no breaking change "${expected.change}" at ${expected.path}; failures: ${result.failures.map((f) => f.message).join("\n")}`,
  ).toBeDefined();
  const message = failure!.message;
  const { family, version } = /^(?<family>.*)\.v(?<version>\d+)$/.exec(expected.type)!.groups!;
  expect(message).toContain(expected.type);
  expect(message).toContain(`version ${version}`);
  expect(message).toContain(`breaking change at ${expected.path}: ${expected.change}`);
  if (expected.was !== undefined) expect(message).toContain(`was ${expected.was}`);
  if (expected.now !== undefined) expect(message).toContain(`now ${expected.now}`);
  const subscribers = subscribersOf(expected.type);
  expect(failure!.subscribers).toEqual(subscribers);
  expect(message).toContain(
    subscribers.length ? `Subscribers affected: ${subscribers.join(", ")}.` : "Subscribers affected: none",
  );
  expect(message).toMatch(
    new RegExp(`publish it as ${family!.replaceAll(".", "\\.")}\\.v\\d+ beside v${version}`),
  );
  expect(message).toContain("see docs/rfcs/ and the README's 'Changing an event'");
  expect(message).toContain(
    "every event valid under the new schema must be readable by a reader of the old one",
  );
  expect(result.release, "release must refuse a breaking change").toBeUndefined();
  return failure!;
}

/** The gate passes: no failure at all, and release may record it. */
export function expectPasses(result: GateResult): void {
  expect(result.failures.map((f) => f.message)).toEqual([]);
  expect(result.release).toBeDefined();
}
