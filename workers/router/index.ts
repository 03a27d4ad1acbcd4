import { deadLetter } from "../../shared/bus/dead-letter";
import { retryDelaySeconds, type SubscriptionBase } from "../../shared/bus/subscription";
import { sendAll } from "../../shared/bus/send";
import { readClaimedEvent } from "../../shared/events/claim-check";
import { copiesOf, deliveryDelaySeconds, faultsIn, happens, InjectedFault } from "../../shared/faults";
import { logEvent } from "../../shared/log";
import { archiveEvents } from "./archive";
import { BUS_QUEUE, BUS_RETRY, routesFor } from "./routing-table";

/**
 * The event bus. Producers send every event to one queue and never learn who consumes it; the router
 * fans each event out, unchanged, to the queue of every subscriber of its type and version.
 * - An event that fails the envelope or schema check goes to the bus's dead-letter queue with why.
 * - An event nobody subscribes to is acknowledged and logged (publishing ahead of consumers is normal,
 *   e.g. a v2 that consumers have not moved to yet).
 * - If forwarding to a subscriber fails, the message is retried; subscribers that already got it
 *   ignore the repeat (their inbox), so fan-out never loses or doubles an effect.
 * - Every valid event, routed or not, is archived (R2) before it is forwarded or acked; one that could
 *   not be archived is retried like a failed forward (workers/router/archive.ts). Operators replay the
 *   archive to one subscriber through ArchiveReplay.
 */
export { ArchiveReplay } from "../../durable-objects/router/archive-replay";
/** Each subscriber queue's backlog for operators (GET /ops/queues), over a service binding. */
export { QueueMetrics } from "./queue-metrics";

function queueFor(env: Env, subscription: SubscriptionBase): Queue {
  const queue = (env as unknown as Record<string, Queue | undefined>)[subscription.binding];
  if (!queue)
    throw new Error(`router has no producer binding ${subscription.binding} for ${subscription.queue}`);
  return queue;
}

export default {
  async queue(batch, env, _ctx) {
    const outgoing = new Map<SubscriptionBase, Message<unknown>[]>();
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
      for (const route of routes) outgoing.set(route, [...(outgoing.get(route) ?? []), message]);
    }

    // One sendBatch per subscriber queue; a message is acked only when every subscriber has it.
    const failed = new Set<Message<unknown>>();
    const faults = faultsIn(env);
    await Promise.all(
      [...outgoing].map(async ([subscription, messages]) => {
        try {
          // Local runs only (shared/faults.ts): a refused send, doubled, late and reordered deliveries.
          if (happens(faults.sendFail)) throw new InjectedFault(`${subscription.queue} refused the send`);
          const copies = messages.flatMap((m) =>
            Array.from({ length: copiesOf(faults) }, () => ({
              body: m.body,
              delaySeconds: deliveryDelaySeconds(faults),
            })),
          );
          await sendAll(queueFor(env, subscription), copies);
        } catch (error) {
          for (const m of messages) failed.add(m);
          logEvent({
            at: "router",
            outcome: "forward-failed",
            queue: subscription.queue,
            count: messages.length,
            reason: String(error),
          });
        }
      }),
    );
    for (const [subscription, messages] of outgoing) {
      for (const m of messages) {
        if (failed.has(m)) continue;
        const e = m.body as { type: string; id: string; traceparent: string };
        logEvent({
          at: "router",
          outcome: "forwarded",
          queue: subscription.queue,
          type: e.type,
          id: e.id,
          traceparent: e.traceparent,
        });
      }
    }
    for (const message of new Set([...outgoing.values()].flat())) {
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
