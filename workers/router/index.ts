import { deadLetter } from "../../shared/bus/dead-letter";
import { retryDelaySeconds, type SubscriptionBase } from "../../shared/bus/subscription";
import { sendAll } from "../../shared/bus/send";
import { shardCount, shardFor, shardKeyOf, type QueueName } from "../../shared/bus/shards";
import { readClaimedEvent } from "../../shared/events/claim-check";
import { copiesOf, deliveryDelaySeconds, faultsIn, happens, InjectedFault } from "../../shared/faults";
import { logEvent } from "../../shared/log";
import { archiveEvents } from "./archive";
import { BUS_QUEUE, BUS_RETRY, routesFor } from "./routing-table";

/**
 * The event bus. Producers send every event to the bus and never learn who consumes it; the router
 * fans each event out, unchanged, to the queue of every subscriber of its type and version. The bus is
 * sharded (shared/bus/shards.ts): the router consumes every shard the same way, whichever shard a batch
 * came from. Commands do not come this way: they go straight to their one recipient's queue
 * (shared/bus/destination.ts), so neither the router nor its archive sees them (a command still on the
 * bus, sent before that, is routed to its subscriber like an event).
 * - An event that fails the envelope or schema check goes to the bus's dead-letter queue with why.
 * - An event nobody subscribes to is acknowledged and logged (publishing ahead of consumers is normal,
 *   e.g. a v2 that consumers have not moved to yet).
 * - If forwarding to a subscriber fails, the message is retried; subscribers that already got it
 *   ignore the repeat (their inbox), so fan-out never loses or doubles an effect.
 * - Every valid event, routed or not, is archived (R2) before it is forwarded or acked; one that could
 *   not be archived is retried like a failed forward (workers/router/archive.ts). Operators replay the
 *   archive to one subscriber through ArchiveReplay.
 * - A subscriber queue may be sharded like the bus: the router sends each event to the shard its subject
 *   picks among the shards of that queue it binds (KITCHEN_INBOX, KITCHEN_INBOX_1, ...); with one
 *   binding, to the queue itself.
 * - The simulated staff's queue is routed only in a local development build (LOCAL_DEV_ONLY).
 */
export { ArchiveReplay } from "../../durable-objects/router/archive-replay";
/** Each subscriber queue's backlog for operators (GET /ops/queues), over a service binding. */
export { QueueMetrics } from "./queue-metrics";

function queueFor(env: Env, name: QueueName): Queue {
  const queue = (env as unknown as Record<string, Queue | undefined>)[name.binding];
  if (!queue) throw new Error(`router has no producer binding ${name.binding} for ${name.queue}`);
  return queue;
}

/** The queue (or shard of it) where a subscriber gets an event about `key`, among those the router binds. */
function destinationFor(env: Env, subscription: SubscriptionBase, key: string): QueueName {
  const base = { queue: subscription.queue, binding: subscription.binding };
  return shardFor(base, key, shardCount(env, base));
}

/** The messages going to one subscriber queue (or one shard of it). */
interface Outgoing {
  queue: QueueName;
  messages: Message<unknown>[];
}

export default {
  async queue(batch, env, _ctx) {
    /** By producer binding: one sendBatch per queue (or shard). */
    const outgoing = new Map<string, Outgoing>();
    const dead: { message: Message<unknown>; reason: string }[] = [];

    // A claim-checked event is validated with its data (fetched from R2) and forwarded as it came.
    const claimed = await Promise.all(
      batch.messages.map(async (message) => ({
        message,
        read: await readClaimedEvent(message.body, env.EVENT_CLAIMS),
      })),
    );
    for (const { message, read } of claimed) {
      if (read.ok !== "retry") continue;
      message.retry({ delaySeconds: retryDelaySeconds(BUS_RETRY, message.attempts) });
      logEvent({ at: "router", outcome: "claim-not-read", reason: read.reason });
    }
    const reads = claimed.flatMap((c) =>
      c.read.ok === "retry" ? [] : [{ message: c.message, read: c.read }],
    );
    // Archived first: nothing is forwarded or acked unarchived (one put per hour of event time).
    const unarchived = await archiveEvents(
      env.EVENT_ARCHIVE,
      reads.flatMap(({ message, read }) => (read.ok ? [{ message, event: read.event }] : [])),
    );

    for (const { message, read } of reads) {
      if (!read.ok) {
        dead.push({ message, reason: read.reason });
        continue;
      }
      if (unarchived.has(message)) {
        message.retry({ delaySeconds: retryDelaySeconds(BUS_RETRY, message.attempts) });
        continue;
      }
      const routes = routesFor(read.event.type);
      if (routes.length === 0) {
        message.ack();
        logEvent({
          at: "router",
          outcome: "unrouted",
          type: read.event.type,
          id: read.event.id,
          traceparent: read.event.traceparent,
        });
        continue;
      }
      const key = shardKeyOf(read.event);
      for (const subscription of routes) {
        const queue = destinationFor(env, subscription, key);
        const group = outgoing.get(queue.binding) ?? { queue, messages: [] };
        outgoing.set(queue.binding, group);
        group.messages.push(message);
      }
    }

    // One sendBatch per subscriber queue; a message is acked only when every subscriber has it.
    const failed = new Set<Message<unknown>>();
    const faults = faultsIn(env);
    await Promise.all(
      [...outgoing.values()].map(async ({ queue, messages }) => {
        try {
          // Local runs only (shared/faults.ts): a refused send, doubled, late and reordered deliveries.
          if (happens(faults.sendFail)) throw new InjectedFault(`${queue.queue} refused the send`);
          const copies = messages.flatMap((m) =>
            Array.from({ length: copiesOf(faults) }, () => ({
              body: m.body,
              delaySeconds: deliveryDelaySeconds(faults),
            })),
          );
          await sendAll(queueFor(env, queue), copies);
        } catch (error) {
          for (const m of messages) failed.add(m);
          logEvent({
            at: "router",
            outcome: "forward-failed",
            queue: queue.queue,
            count: messages.length,
            reason: String(error),
          });
        }
      }),
    );
    for (const { queue, messages } of outgoing.values()) {
      for (const m of messages) {
        if (failed.has(m)) continue;
        const e = m.body as { type: string; id: string; traceparent: string };
        logEvent({
          at: "router",
          outcome: "forwarded",
          queue: queue.queue,
          type: e.type,
          id: e.id,
          traceparent: e.traceparent,
        });
      }
    }
    for (const message of new Set([...outgoing.values()].flatMap((o) => o.messages))) {
      if (failed.has(message))
        message.retry({ delaySeconds: retryDelaySeconds(BUS_RETRY, message.attempts) });
      else message.ack();
    }

    await Promise.all(
      dead.map(async ({ message, reason }) => {
        try {
          await env.DEAD_LETTERS.send(deadLetter(BUS_QUEUE, message.body, reason, message.attempts), {
            contentType: "json",
          });
          message.ack();
          logEvent({ at: "router", outcome: "dead-lettered", reason });
        } catch (error) {
          message.retry({ delaySeconds: retryDelaySeconds(BUS_RETRY, message.attempts) });
          logEvent({ at: "router", outcome: "dead-letter-failed", reason: String(error) });
        }
      }),
    );
  },
} satisfies ExportedHandler<Env>;
