import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createEvent } from "../../shared/events/envelope";
import { deprecationOf, downgradesFrom } from "../../shared/events/registry";
import { startTrace } from "../../shared/events/trace";
import { eventsAbout, publishedEvents } from "../support/queue-tap";
import { submitCommand } from "./submit-command";

/**
 * A migration window on the real bus: the Order publishes order.confirmed.v2, and v1 (derived by its
 * registered downgrade) leaves in the same outbox transaction, so each subscriber gets the version it
 * reads. Read back from the real pizza-events queue.
 */
const CONFIRMED_V1 = "com.plantbasedpizza.order.confirmed.v1";
const CONFIRMED_V2 = "com.plantbasedpizza.order.confirmed.v2";

describe("an event in its migration window", () => {
  it("goes on the bus as v2 and as v1, the v1 derived from the v2 and marked deprecated", async () => {
    const orderId = crypto.randomUUID();
    const order = env.ORDERS.getByName(orderId);
    await order.submit(submitCommand(orderId));
    const taken = createEvent(
      "com.plantbasedpizza.payment.taken.v1",
      {
        orderId,
        paymentId: `payment-${orderId}`,
        amount: { amount: 1150, currency: "GBP" },
        takenAt: new Date().toISOString(),
      },
      { traceparent: startTrace(), causationid: "test", subject: orderId },
    );
    expect(await order.applyEvent(taken)).toBe("processed");

    const both = await publishedEvents(
      (e) => e.subject === orderId && e.type.startsWith("com.plantbasedpizza.order.confirmed."),
      2,
    );
    const v2 = both.find((e) => e.type === CONFIRMED_V2)!;
    const v1 = both.find((e) => e.type === CONFIRMED_V1)!;
    expect(v2.deprecated).toBeUndefined();
    const deprecation = deprecationOf(CONFIRMED_V1)!;
    expect(v1).toMatchObject({
      deprecated: true,
      deprecationfrom: deprecation.since,
      deprecationsunset: deprecation.sunset,
      deprecationmigration: deprecation.migration,
      // The same fact: same trace, cause and subject; an event of its own (its own id).
      traceparent: v2.traceparent,
      causationid: v2.causationid,
      subject: orderId,
    });
    expect(v1.id).not.toBe(v2.id);
    expect(v1.data).toEqual(downgradesFrom(CONFIRMED_V2)[0]!.derive(v2.data));
    expect(v1.data).toMatchObject({ total: { amount: 1150, currency: "GBP" } });
    // Exactly one of each: nothing else about this order's confirmation.
    expect(
      (await eventsAbout(orderId)).filter((e) => e.type.startsWith("com.plantbasedpizza.order.confirmed.")),
    ).toHaveLength(2);
  });
});
