import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

/** DeprecatedReads: per subscriber, how many events of each deprecated version it handled, and when. */
const CONFIRMED_V1 = "com.plantbasedpizza.order.confirmed.v1";
const COMPLETED_V1 = "com.plantbasedpizza.order.completed.v1";

describe("DeprecatedReads", () => {
  it("adds each batch's counts per type, keeping the first and the latest time", async () => {
    const reads = env.DEPRECATED_READS.getByName("kitchen-of-the-past");
    expect(await reads.reads()).toEqual([]);

    await reads.count("kitchen-of-the-past", { [CONFIRMED_V1]: 3 }, "2026-11-24T10:00:00.000Z");
    await reads.count(
      "kitchen-of-the-past",
      { [CONFIRMED_V1]: 2, [COMPLETED_V1]: 1 },
      "2026-11-25T09:30:00.000Z",
    );
    // A batch whose count arrives late does not move the latest time back.
    await reads.count("kitchen-of-the-past", { [CONFIRMED_V1]: 1 }, "2026-11-24T12:00:00.000Z");

    expect(await reads.reads()).toEqual([
      {
        type: COMPLETED_V1,
        events: 1,
        firstAt: "2026-11-25T09:30:00.000Z",
        lastAt: "2026-11-25T09:30:00.000Z",
      },
      {
        type: CONFIRMED_V1,
        events: 6,
        firstAt: "2026-11-24T10:00:00.000Z",
        lastAt: "2026-11-25T09:30:00.000Z",
      },
    ]);
  });

  it("keeps each subscriber's counts in its own object", async () => {
    await env.DEPRECATED_READS.getByName("reader-a").count(
      "reader-a",
      { [COMPLETED_V1]: 4 },
      new Date().toISOString(),
    );
    expect(await env.DEPRECATED_READS.getByName("reader-b").reads()).toEqual([]);
    expect((await env.DEPRECATED_READS.getByName("reader-a").reads()).map((r) => r.events)).toEqual([4]);
  });
});
