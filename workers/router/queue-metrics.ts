import { WorkerEntrypoint } from "cloudflare:workers";
import { BUS, shardQueues } from "../../shared/bus/shards";
import { subscriptions } from "./routing-table";

/**
 * Each queue's backlog, as the platform's queue metrics report it, for `GET /ops/queues` (metrics are read
 * through a producer binding). Every shard of the bus is read by orders, which binds them all as their
 * producer (`busBacklogs`); every subscriber queue by the router, which binds them all to forward to
 * them (entrypoint QueueMetrics, reached by the orders gateway over a service binding).
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

/** Every shard of the bus a worker binds (its producer bindings: `env`), shard 0 first. */
export function busBacklogs(bindings: object, now = Date.now()): Promise<QueueBacklog[]> {
  return Promise.all(
    shardQueues<Queue>(bindings, BUS).map(({ name, queue }) =>
      backlogOf(queue, { queue: name.queue, subscriber: "router" }, now),
    ),
  );
}

export class QueueMetrics extends WorkerEntrypoint<Env> {
  /** Every subscriber queue, in the routing table's order (each shard of a sharded one, shard 0 first). */
  async subscriberBacklogs(): Promise<QueueBacklog[]> {
    const backlogs = subscriptions.map((s) => {
      const shards = shardQueues<Queue>(this.env, { queue: s.queue, binding: s.binding });
      if (shards.length === 0)
        return [
          Promise.resolve({
            queue: s.queue,
            subscriber: s.subscriber,
            backlog: null,
            backlogBytes: null,
            oldestMessageAgeSeconds: null,
            error: `the router has no binding ${s.binding}`,
          }),
        ];
      return shards.map(({ name, queue }) =>
        backlogOf(queue, { queue: name.queue, subscriber: s.subscriber }),
      );
    });
    return Promise.all(backlogs.flat());
  }
}
