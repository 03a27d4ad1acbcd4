import { describe, expect, it } from "vitest";
import { inboxOf, queueOf, recipientOf } from "../../shared/bus/destination";
import { BUS } from "../../shared/bus/shards";
import { eventTypes, registry } from "../../shared/events/registry";
import { subscriptions } from "../../workers/router/routing-table";
import { workerConfigs } from "../support/wrangler-configs";

/**
 * Commands go point to point: each has one recipient, declared once in the registry (`recipient`), and
 * the outbox sends it straight to that context's queue (shared/bus/destination.ts). That declaration
 * must agree with the subscriptions (the recipient subscribes to it, and no one else does) and with the
 * configs (its producer binds the recipient's queue).
 */
const commands = eventTypes.filter((t) => registry[t].shape === "command");
const configs = workerConfigs();
const configOf = (context: string) => configs.find((c) => c.name === `pizza-${context}`)!;

describe("commands", () => {
  it("exist (take, void and refund payment) and each names its one recipient; no event does", () => {
    expect(commands).toEqual(
      expect.arrayContaining([
        "com.plantbasedpizza.payments.take-payment.v1",
        "com.plantbasedpizza.payments.void-payment.v1",
        "com.plantbasedpizza.payments.refund-payment.v1",
      ]),
    );
    for (const type of commands) expect(recipientOf(type), type).toEqual(expect.any(String));
    for (const type of eventTypes.filter((t) => registry[t].shape !== "command")) {
      expect(registry[type].recipient, type).toBeUndefined();
      expect(queueOf(type), type).toEqual(BUS);
    }
  });

  it.each(commands)("%s: its recipient is its only subscriber, on the recipient's own queue", (type) => {
    const recipient = recipientOf(type)!;
    const readers = subscriptions.filter((s) => Object.hasOwn(s.events, type));
    expect(readers.map((s) => s.subscriber)).toEqual([recipient]);
    expect({ queue: readers[0]!.queue, binding: readers[0]!.binding }).toEqual(inboxOf(recipient));
    expect(queueOf(type)).toEqual(inboxOf(recipient));
  });

  it.each(commands)("%s: its producer binds the recipient's queue", (type) => {
    const producer = configOf(registry[type].producer);
    expect(producer.queues?.producers, producer.path).toContainEqual(inboxOf(recipientOf(type)!));
  });
});
