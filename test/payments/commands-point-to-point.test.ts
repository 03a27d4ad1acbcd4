import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { DeadLetter } from "../../shared/bus/dead-letter";
import { recipientOf } from "../../shared/bus/destination";
import { createEvent, sourceOf } from "../../shared/events/envelope";
import { eventTypes, registry, type EventType } from "../../shared/events/registry";
import { startTrace } from "../../shared/events/trace";
import worker from "../../workers/payments";
import { paymentsSubscription } from "../../workers/payments/subscriptions";
import { exampleData } from "../support/example-events";
import { queueConsumer } from "../support/queue-batch";
import { tapped } from "../support/queue-tap";
import { waitFor } from "../support/wait-for";

/**
 * Commands reach payments point to point, straight from orders' outbox to payments-inbox: no router
 * looks at them first. So payments' own consumer (the harness, shared/consumer/harness.ts, reading
 * through readEvent) holds them to the router's rule: only a command's registered producer may send it.
 * A forged one is dead-lettered with the reason and does nothing; the genuine one is carried out.
 */
const COMMANDS = eventTypes.filter((t) => recipientOf(t) === "payments");
const { deliverMessages } = queueConsumer(worker, paymentsSubscription.queue);

const command = (type: EventType, orderId: string) =>
  createEvent(type, { ...(exampleData(type) as object), orderId } as never, {
    traceparent: startTrace(),
    causationid: "point-to-point-test",
    subject: orderId,
  });

async function lettersAbout(id: string): Promise<DeadLetter[]> {
  return ((await tapped(paymentsSubscription.deadLetterQueue)) as DeadLetter[]).filter(
    (l) => (l.body as { id?: unknown } | undefined)?.id === id,
  );
}

describe("commands straight to payments", () => {
  it("are take, void and refund payment, all from orders", () => {
    expect(COMMANDS.sort()).toEqual(
      [
        "com.plantbasedpizza.payments.refund-payment.v1",
        "com.plantbasedpizza.payments.take-payment.v1",
        "com.plantbasedpizza.payments.void-payment.v1",
      ].sort(),
    );
    for (const type of COMMANDS) expect(registry[type].producer).toBe("orders");
  });

  it.each(COMMANDS)(
    "%s from anyone but orders is dead-lettered with the reason, and changes nothing",
    async (type) => {
      const orderId = crypto.randomUUID();
      const genuine = command(type, orderId);
      const forged = { ...command(type, orderId), source: "/contexts/mallory" };
      const result = await deliverMessages([{ id: "forged", body: forged }]);
      expect(result.explicitAcks).toEqual(["forged"]);
      expect(result.retryMessages).toEqual([]);
      const [letter, ...more] = await waitFor("the forged command's dead letter", async () => {
        const letters = await lettersAbout(forged.id);
        return letters.length > 0 ? letters : undefined;
      });
      expect(more).toEqual([]);
      expect(letter).toMatchObject({
        kind: "dead-letter",
        queue: paymentsSubscription.queue,
        reason: `source /contexts/mallory is not the producer of ${type} (${sourceOf("orders")})`,
        body: forged,
      });
      expect(await env.PAYMENTS.getByName(orderId).payment()).toBeUndefined();

      // The genuine command, from orders, is carried out.
      const carried = await deliverMessages([{ id: "genuine", body: genuine }]);
      expect(carried.explicitAcks).toEqual(["genuine"]);
      expect(carried.retryMessages).toEqual([]);
      expect(await env.PAYMENTS.getByName(orderId).payment()).toBeDefined();
      expect(await lettersAbout(genuine.id)).toEqual([]);
    },
  );
});
