import { isRegistered, registry } from "../events/registry";
import { BUS, shardCount, shardFor, shardKeyOf, type QueueName } from "./shards";

/**
 * Where a publisher sends a message: an event to the bus, a command straight to its recipient.
 *
 * An event is publish/subscribe: its producer does not know who reads it, so it goes to the bus, and the
 * router fans it out to every subscriber (workers/router). A command has exactly one recipient by
 * definition (take payment is for payments), declared once in the registry (`recipient`), so it goes
 * point to point to the recipient's own queue: one queue hop, and one send, receive and ack, fewer on
 * the customer's path. The recipient's harness still refuses a command whose `source` is not its
 * registered producer (shared/events/envelope.ts readEvent), the rule the router applies to events.
 *
 * Both are sharded queues (shared/bus/shards.ts): the message goes to the shard its subject picks, among
 * the shards the publisher binds (the bus is; a subscriber queue may be).
 */

/** A context's own queue, by the convention every subscription follows: `<context>-inbox`, <CONTEXT>_INBOX */
export function inboxOf(context: string): QueueName {
  return { queue: `${context}-inbox`, binding: `${context.toUpperCase().replaceAll("-", "_")}_INBOX` };
}

/** The context a registered command goes to; undefined for an event (or an unregistered type). */
export function recipientOf(type: string): string | undefined {
  if (!isRegistered(type)) return undefined;
  const definition = registry[type];
  return definition.shape === "command" ? definition.recipient : undefined;
}

/** Where a message of this type goes, before sharding: the bus, or a command's recipient's queue. */
export function queueOf(type: string): QueueName {
  const recipient = recipientOf(type);
  return recipient === undefined ? BUS : inboxOf(recipient);
}

/** Exactly which queue (shard included) an event or command goes to, given the publisher's bindings (env). */
export function destinationOf(
  message: { type: string; subject?: string | undefined; id: string },
  bindings: object,
): QueueName {
  const base = queueOf(message.type);
  return shardFor(base, shardKeyOf(message), shardCount(bindings, base));
}
