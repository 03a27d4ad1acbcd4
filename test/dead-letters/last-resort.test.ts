import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { deadLetter } from "../../shared/bus/dead-letter";
import { retryDelaySeconds, retryWindowSeconds } from "../../shared/bus/subscription";
import {
  afterFilingFailed,
  describeFilingRetry,
  FILING_MAX_RETRIES,
  FILING_RETRY,
  LAST_RESORT_QUEUE,
} from "../../workers/dead-letters/filing";
import { waitFor } from "../support/wait-for";

/**
 * The dead-letter office's own dead-letter queue, the last resort: what the platform moves there after
 * a dead-letter queue's consumer failed to file it is filed by the same worker, consuming the real
 * queue (this project runs the dead-letters worker's wrangler.toml), in an office of its own.
 */
const lastResortLetters = () => env.DEAD_LETTER_OFFICE.getByName(LAST_RESORT_QUEUE).list(100);

describe("the last resort", () => {
  it("files what reaches it: a consumer's dead letter, a bare message, and one that is not JSON", async () => {
    const run = crypto.randomUUID();
    const event = { id: `evt-letter-${run}`, type: "com.plantbasedpizza.order.confirmed.v2", data: {} };
    const bare = { id: `evt-bare-${run}`, type: "com.plantbasedpizza.payment.taken.v1", data: {} };
    const unreadable = { id: `evt-v8-${run}`, amount: 10n };
    await env.LAST_RESORT.send(deadLetter("kitchen-inbox", event, "invalid data: data.items: required", 2), {
      contentType: "json",
    });
    await env.LAST_RESORT.send(bare, { contentType: "json" });
    await env.LAST_RESORT.send(unreadable, { contentType: "v8" });

    const ids = [event.id, bare.id, unreadable.id];
    const letters = await waitFor("all three letters filed in the last resort's office", async () => {
      const found = (await lastResortLetters()).filter((l) => ids.includes(l.eventId ?? ""));
      return found.length === ids.length ? new Map(found.map((l) => [l.eventId, l])) : undefined;
    });
    expect(letters.get(event.id)).toMatchObject({
      deadLetterQueue: LAST_RESORT_QUEUE,
      queue: "kitchen-inbox",
      reason:
        "invalid data: data.items: required; then its dead-letter queue's office could not file it (last resort)",
      attempts: 2,
      eventType: event.type,
      bodyJson: JSON.stringify(event),
    });
    expect(letters.get(bare.id)).toMatchObject({
      deadLetterQueue: LAST_RESORT_QUEUE,
      queue: "unknown",
      reason: "retries exhausted, then its dead-letter queue's office could not file it (last resort)",
      bodyJson: JSON.stringify(bare),
    });
    expect(letters.get(unreadable.id)).toMatchObject({
      deadLetterQueue: LAST_RESORT_QUEUE,
      reason: expect.stringMatching(/\(last resort\); body is not JSON: a BigInt as a string$/),
      bodyJson: JSON.stringify({ id: unreadable.id, amount: "10" }),
    });
  });

  it("is reached only after hours of retries on a dead-letter queue, inside the day a queue keeps a message", () => {
    expect(describeFilingRetry()).toBe("101 attempts, 5s doubling to 10m: retries for 15h 40m 35s");
    // Every failed attempt of a dead-letter queue is retried later, the last one too: after it, the
    // platform moves the letter to the last resort (its dead_letter_queue).
    for (let attempts = 1; attempts <= FILING_MAX_RETRIES + 1; attempts++)
      expect(afterFilingFailed("kitchen-inbox-dlq", attempts)).toEqual({
        retryAfterSeconds: retryDelaySeconds(FILING_RETRY, attempts),
      });
    expect(retryWindowSeconds(FILING_RETRY)).toBeGreaterThan(12 * 3600);
    expect(retryWindowSeconds(FILING_RETRY)).toBeLessThan(24 * 3600);
  });

  it("puts a letter it still cannot file back on itself at its final attempt, never letting it drop", () => {
    for (let attempts = 1; attempts <= FILING_MAX_RETRIES; attempts++)
      expect(afterFilingFailed(LAST_RESORT_QUEUE, attempts)).toEqual({
        retryAfterSeconds: retryDelaySeconds(FILING_RETRY, attempts),
      });
    expect(afterFilingFailed(LAST_RESORT_QUEUE, FILING_MAX_RETRIES + 1)).toEqual({
      requeueOnLastResort: true,
    });
  });
});
