/**
 * Back-pressure: when the system cannot keep up, say so before accepting work it would fail. An order
 * accepted while thousands of events wait on the bus waits for its payment behind all of them and may be
 * cancelled at its payment deadline; a 503 with Retry-After is the honest answer, and the client comes
 * back when the queue has drained (a burst goes into the queue, not into cancelled orders).
 *
 * The signal is the bus's own backlog, as Cloudflare Queues report it (`queue.metrics()`): how many
 * messages wait. Not the oldest message's age: one event retried for hours (a subscriber's queue refusing
 * it) would keep that high and refuse every order while everything else flows. Where the runtime cannot
 * tell (metrics unavailable), the order is accepted and a line logged: refusing every order because a
 * metric is missing would be worse than a late one.
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

/** The bus's load from its metrics; undefined when the runtime does not report them. */
export async function busLoad(bus: MeasuredQueue): Promise<BusLoad | undefined> {
  try {
    return { backlog: (await bus.metrics()).backlogCount };
  } catch {
    return undefined;
  }
}
