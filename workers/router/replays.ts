import type { ReplayRequest } from "../../durable-objects/router/replay-job";
import { subscribedTypes } from "../../shared/bus/subscription";
import { isRegistered } from "../../shared/events/registry";
import { subscriptions } from "./routing-table";

/**
 * What an operator asks to replay, checked against the routing table: the ArchiveReplay object knows
 * nothing of subscriptions (Durable Objects do not import workers/), so it is given the subscriber's
 * queue, the router's producer binding for it, and the types to send. No Workers runtime modules: the
 * ops API and the Node tests both use it.
 */
export interface ReplayAsked {
  subscriber: string;
  /** RFC 3339; the events whose `time` is in [from, to). */
  from: string;
  to: string;
  /** Full event types with their version (…order.completed.v1); all the subscriber reads if absent. */
  types?: string[] | undefined;
}

export type ReplayPlan = Omit<ReplayRequest, "id" | "requestedBy">;

/**
 * A replay covers at most a year and a day: its object lists every hour of the range (8,784 R2 lists
 * at most, each a class A operation), and a longer backfill is better cut into jobs an operator can
 * follow. The archive is kept a year (docs: "Archive and replay").
 */
export const MAX_REPLAY_DAYS = 366;
const DAY_MS = 24 * 60 * 60 * 1000;

export type ReplayCheck =
  { ok: true; plan: ReplayPlan } | { ok: false; issues: { field: string; reason: string }[] };

export function planReplay(asked: ReplayAsked): ReplayCheck {
  const subscription = subscriptions.find((s) => s.subscriber === asked.subscriber);
  if (!subscription)
    return {
      ok: false,
      issues: [
        {
          field: "subscriber",
          reason: `no subscriber "${asked.subscriber}"; one of ${subscriptions.map((s) => s.subscriber).join(", ")}`,
        },
      ],
    };
  const issues: { field: string; reason: string }[] = [];
  const from = Date.parse(asked.from);
  const to = Date.parse(asked.to);
  if (!Number.isFinite(from)) issues.push({ field: "from", reason: "an RFC 3339 date-time" });
  if (!Number.isFinite(to)) issues.push({ field: "to", reason: "an RFC 3339 date-time" });
  else if (to <= from) issues.push({ field: "to", reason: "must be after from" });
  else if (to - from > MAX_REPLAY_DAYS * DAY_MS)
    issues.push({ field: "to", reason: `at most ${MAX_REPLAY_DAYS} days after from: split the replay` });
  const reads = subscribedTypes(subscription) as string[];
  for (const type of asked.types ?? []) {
    if (!isRegistered(type))
      issues.push({ field: "types", reason: `${type} is not a registered event type` });
    else if (!reads.includes(type))
      issues.push({
        field: "types",
        reason: `${subscription.subscriber} does not read ${type}; it reads ${reads.join(", ")}`,
      });
  }
  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    plan: {
      subscriber: subscription.subscriber,
      queue: subscription.queue,
      binding: subscription.binding,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      types: asked.types ? [...new Set(asked.types)] : reads,
    },
  };
}
