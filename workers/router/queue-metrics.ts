import { WorkerEntrypoint } from "cloudflare:workers";
import { subscriptions } from "./routing-table";

/**
 * Each subscriber queue's backlog, as the platform's queue metrics report it, for `GET /ops/queues`. The
 * router answers because it holds a producer binding for every subscriber queue (metrics are read through
 * a producer binding); the orders gateway reaches it over a service binding (entrypoint QueueMetrics).
 */
export interface QueueBacklog {
  queue: string;
  subscriber: string;
  /** Messages waiting; null where the runtime reports no metrics. */
  backlog: number | null;
  backlogBytes: number | null;
  /** How long the oldest waiting message has waited, in seconds; null when none waits or no metrics. */
  oldestMessageAgeSeconds: number | null;
  error?: string;
}

/** One queue's metrics in the shape operators read; never throws (a queue without metrics says why). */
export async function backlogOf(
  queue: Queue,
  names: { queue: string; subscriber: string },
  now = Date.now(),
): Promise<QueueBacklog> {
  try {
    const m = await queue.metrics();
    // A Date in the platform's types; milliseconds (0 when empty) in the local runtime.
    const oldest = m.oldestMessageTimestamp ? new Date(m.oldestMessageTimestamp).getTime() : 0;
    return {
      ...names,
      backlog: m.backlogCount,
      backlogBytes: m.backlogBytes,
      oldestMessageAgeSeconds: m.backlogCount > 0 && oldest > 0 ? Math.max(0, (now - oldest) / 1000) : null,
    };
  } catch (error) {
    return {
      ...names,
      backlog: null,
      backlogBytes: null,
      oldestMessageAgeSeconds: null,
      error: `no metrics: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

export class QueueMetrics extends WorkerEntrypoint<Env> {
  /** Every subscriber queue, in the routing table's order. */
  async subscriberBacklogs(): Promise<QueueBacklog[]> {
    const bindings = this.env as unknown as Record<string, Queue | undefined>;
    return Promise.all(
      subscriptions.map((s) => {
        const queue = bindings[s.binding];
        return queue
          ? backlogOf(queue, { queue: s.queue, subscriber: s.subscriber })
          : Promise.resolve({
              queue: s.queue,
              subscriber: s.subscriber,
              backlog: null,
              backlogBytes: null,
              oldestMessageAgeSeconds: null,
              error: `the router has no binding ${s.binding}`,
            });
      }),
    );
  }
}
