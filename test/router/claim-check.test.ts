import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { checkIn, claimedData, readClaimedEvent, UnresolvableClaim } from "../../shared/events/claim-check";
import { claimKeyOf } from "../../shared/events/claim-envelope";
import worker from "../../workers/router";
import { cateringOrderConfirmed } from "../support/catering";
import { queueConsumer } from "../support/queue-batch";
import { tappedQueues } from "../support/queue-tap";
import { waitFor } from "../support/wait-for";

/**
 * The claim check against a real R2 bucket (the router's EVENT_CLAIMS) and real queues: a catering
 * order's confirmation (about 400 KB, over a queue message's 128 KB) travels as an envelope with a
 * dataref; the router validates it with its data and forwards it as it came.
 */
const claims = env.EVENT_CLAIMS;
const { deliverBatch: route } = queueConsumer(worker, "pizza-events");

describe("the claim check", () => {
  it("stores a big event's data once, content-addressed, and gives it back whole", async () => {
    const event = cateringOrderConfirmed();
    const claimed = await checkIn(event, claims);
    expect(claimed.data).toBeUndefined();
    const key = claimKeyOf(claimed.dataref)!;
    const stored = await claims.head(key);
    expect(stored?.customMetadata).toMatchObject({ firstEventId: event.id });

    // The same data again (a retry, the v1 beside a v2): the same claim, not written a second time.
    const again = await checkIn({ ...event, id: crypto.randomUUID() }, claims);
    expect(again.dataref).toBe(claimed.dataref);
    expect((await claims.head(key))?.customMetadata).toMatchObject({ firstEventId: event.id });

    expect(await claimedData(claimed, claims)).toEqual(JSON.parse(JSON.stringify(event)));
    // Small events travel as they are.
    const small = { ...event, data: { ...event.data, items: event.data.items.slice(0, 2) } };
    expect(await checkIn(small, claims)).toBe(small);
  });

  it("refuses a claim that is gone, altered or not ours: retrying cannot bring it back", async () => {
    const claimed = await checkIn(cateringOrderConfirmed(), claims);
    const key = claimKeyOf(claimed.dataref)!;
    await claims.put(key, JSON.stringify({ orderId: "changed" }));
    await expect(claimedData(claimed, claims)).rejects.toThrow(UnresolvableClaim);
    await claims.delete(key);
    await expect(claimedData(claimed, claims)).rejects.toThrow(/is gone/);
    await expect(claimedData({ ...claimed, dataref: "https://elsewhere/x" }, claims)).rejects.toThrow(
      /is not a claim/,
    );
    expect(await readClaimedEvent(claimed, claims)).toMatchObject({ ok: false, id: claimed.id });
  });

  it("lets the router validate a claim-checked event with its data and forward it as it came", async () => {
    const claimed = await checkIn(cateringOrderConfirmed(), claims);
    const gone = await checkIn({ ...cateringOrderConfirmed(), id: crypto.randomUUID() }, claims);
    // A second catering order whose claim expired before the router saw it.
    const goneData = { ...gone, dataref: `r2://pizza-event-claims/claims/${"f".repeat(64)}` };
    const result = await route([claimed, goneData]);
    expect(result.explicitAcks).toHaveLength(2);

    const arrived = await waitFor("the claimed event at the kitchen and the dead letter", async () => {
      const all = await tappedQueues<{ id?: string; body?: { id?: string }; reason?: string }>();
      const atKitchen = (all["kitchen-inbox"] ?? []).find((m) => m.id === claimed.id);
      const dead = (all["pizza-events-dlq"] ?? []).find((m) => m.body?.id === goneData.id);
      return atKitchen && dead ? { atKitchen, dead } : undefined;
    });
    expect(arrived.atKitchen).toEqual(claimed);
    expect(arrived.dead.reason).toMatch(/is gone/);
  });
});
