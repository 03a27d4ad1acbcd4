/**
 * Back-pressure: when the system cannot keep up, say so before accepting work it would fail. An order
 * accepted while thousands of events wait on the bus waits for its payment behind all of them and may be
 * cancelled at its payment deadline; a 503 with Retry-After is the honest answer, and the client comes
 * back when the queue has drained (a burst goes into the queue, not into cancelled orders).
 *
 * The signal is the bus's own backlog, as Cloudflare Queues report it (`queue.metrics()`): how many
 * messages wait, over every shard of the bus, read at most once a second per isolate (`recentBusLoad`).
 * Not the oldest message's age: one event retried for hours (a subscriber's queue refusing it) would keep
 * that high and refuse every order while everything else flows. Where the runtime cannot tell (metrics
 * unavailable), the order is accepted and a line logged: refusing every order because a metric is
 * missing would be worse than a late one.
 */
export interface BusLimits {
  /** Messages waiting on the bus above which new orders are refused. */
  maxBacklog: number;
}

export type BusLoad = { backlog: number };

export type Overload =
  { overloaded: false } | { overloaded: true; retryAfterSeconds: number; reason: string };

/** When to come back: long enough for a burst to drain, short enough not to lose the customer. */
export const RETRY_AFTER_SECONDS = 10;

/** Whether the bus is too far behind to take more work, and when to come back. */
export function overload(load: BusLoad, limits: BusLimits): Overload {
  if (load.backlog <= limits.maxBacklog) return { overloaded: false };
  return {
    overloaded: true,
    retryAfterSeconds: RETRY_AFTER_SECONDS,
    reason: `the event bus is behind: ${load.backlog} messages waiting (limit ${limits.maxBacklog})`,
  };
}

/** What of a Queue binding this reads (its metrics), so the rules also load where Workers types do not. */
export interface MeasuredQueue {
  metrics(): Promise<{ backlogCount: number }>;
}

/**
 * The bus's load: the backlog of every shard (shared/bus/shards.ts), summed, since the router works off
 * all of them and BUS_MAX_BACKLOG is about the bus as a whole. Undefined when the runtime does not report
 * a shard's metrics: a sum without it would understate the load.
 */
export async function busLoad(shards: readonly MeasuredQueue[]): Promise<BusLoad | undefined> {
  try {
    const counts = await Promise.all(shards.map(async (shard) => (await shard.metrics()).backlogCount));
    return { backlog: counts.reduce((a, b) => a + b, 0) };
  } catch {
    return undefined;
  }
}

/**
 * How long one isolate reuses a reading. Every `POST /orders` asks, and a reading is a metrics call per
 * shard: N calls per order, the customer waiting for the slowest, to learn a figure that moves by a few
 * thousand messages a second at most against a limit of thousands. One reading per isolate and second
 * bounds that to N calls a second per isolate whatever the order rate, and answers most orders at once.
 * A second late is nothing to back-pressure that asks clients to come back in ten.
 */
export const BUS_LOAD_MAX_AGE_MS = 1_000;

/** This isolate's last reading: which shards it measured (binding objects), when, and what it found. */
let lastReading:
  { shards: readonly MeasuredQueue[]; at: number; load: Promise<BusLoad | undefined> } | undefined;

/**
 * `busLoad`, read at most once per BUS_LOAD_MAX_AGE_MS in this isolate for the same shards (the same
 * binding objects: the runtime keeps one env per isolate; other bindings, as tests pass, get their own
 * reading). Submits that arrive while a reading is under way wait for that one rather than start theirs.
 */
export function recentBusLoad(
  shards: readonly MeasuredQueue[],
  now = Date.now(),
): Promise<BusLoad | undefined> {
  const last = lastReading;
  const same =
    last !== undefined &&
    last.shards.length === shards.length &&
    last.shards.every((shard, i) => shard === shards[i]);
  if (same && now >= last.at && now - last.at < BUS_LOAD_MAX_AGE_MS) return last.load;
  const load = busLoad(shards);
  lastReading = { shards: [...shards], at: now, load };
  return load;
}
