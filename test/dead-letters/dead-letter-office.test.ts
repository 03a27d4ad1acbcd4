import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { DeadLetterOffice } from "../../durable-objects/dead-letters/dead-letter-office";
import { deadLetter } from "../../shared/bus/dead-letter";
import worker from "../../workers/dead-letters";
import { MAX_BODY_JSON_CHARS } from "../../workers/dead-letters/letters";
import { queueConsumer, type TestMessage } from "../support/queue-batch";

/** The dead-letter office keeps every failed message with its reason; nothing is dropped. */
const office = (queue: string) => env.DEAD_LETTER_OFFICE.getByName(queue);

const deliver = (queue: string, messages: TestMessage[]) =>
  queueConsumer(worker, queue).deliverMessages(messages);

describe("the dead-letter office", () => {
  it("files a consumer's dead letter with its reason, and a bare message moved by the platform as retries exhausted", async () => {
    const event = { id: "evt-1", type: "com.plantbasedpizza.order.confirmed.v1", data: {} };
    const result = await deliver("kitchen-inbox-dlq", [
      { id: "m-1", body: deadLetter("kitchen-inbox", event, "invalid data: data.items: required", 1) },
      { id: "m-2", body: { id: "evt-2", type: "com.plantbasedpizza.order.confirmed.v1" }, attempts: 5 },
    ]);
    expect(result.retryMessages).toEqual([]);
    const letters = await office("kitchen-inbox-dlq").list(10);
    expect(letters.find((l) => l.messageId === "m-1")).toMatchObject({
      queue: "kitchen-inbox",
      reason: "invalid data: data.items: required",
      eventId: "evt-1",
      eventType: event.type,
      bodyJson: JSON.stringify(event),
    });
    expect(letters.find((l) => l.messageId === "m-2")).toMatchObject({
      queue: "kitchen-inbox",
      reason: expect.stringMatching(/^retries exhausted/),
      eventId: "evt-2",
    });
  });

  it("files a redelivered dead letter once", async () => {
    const body = deadLetter("orders-inbox", "garbage", "invalid envelope", 1);
    await deliver("orders-inbox-dlq", [{ id: "dup-1", body }]);
    await deliver("orders-inbox-dlq", [{ id: "dup-1", body, attempts: 2 }]);
    expect((await office("orders-inbox-dlq").list(10)).filter((l) => l.messageId === "dup-1")).toHaveLength(
      1,
    );
  });

  it("files a letter that cannot be read at all as it is, as far as text allows, with a reason", async () => {
    const circular: Record<string, unknown> = { id: "evt-circular" };
    circular.self = circular;
    const sparse: unknown[] = [];
    sparse.length = 1_000_000; // a few bytes as "v8", millions of characters as JSON
    const result = await deliver("payments-inbox-dlq", [
      { id: "u-bigint", body: { id: "evt-bigint", amount: 10n } },
      { id: "u-circular", body: circular },
      { id: "u-bytes", body: new Uint8Array([104, 105]).buffer },
      { id: "u-nothing", body: undefined },
      { id: "u-text", body: "not an event" },
      { id: "u-sparse", body: sparse },
      {
        id: "u-letter",
        body: deadLetter("payments-inbox", { id: "evt-map", m: new Map([["a", 1]]) }, "bad", 3),
      },
    ]);
    expect(result.retryMessages).toEqual([]);
    expect(result.explicitAcks).toHaveLength(7);
    const letters = new Map((await office("payments-inbox-dlq").list(100)).map((l) => [l.messageId, l]));
    expect(letters.get("u-bigint")).toMatchObject({
      queue: "payments-inbox",
      eventId: "evt-bigint",
      reason: expect.stringMatching(/^retries exhausted.*; body is not JSON: a BigInt as a string$/),
      bodyJson: '{"id":"evt-bigint","amount":"10"}',
    });
    expect(letters.get("u-circular")).toMatchObject({
      eventId: "evt-circular",
      reason: expect.stringContaining("a repeated or circular reference"),
      bodyJson: '{"id":"evt-circular","self":"[repeated reference]"}',
    });
    expect(letters.get("u-bytes")).toMatchObject({
      reason: expect.stringContaining("bytes as base64"),
      bodyJson: JSON.stringify({ base64: btoa("hi") }),
    });
    expect(letters.get("u-nothing")).toMatchObject({
      reason: expect.stringContaining("kept as null"),
      bodyJson: "null",
    });
    // Text is JSON: filed as it arrived, nothing to say about it.
    expect(letters.get("u-text")).toMatchObject({
      reason: "retries exhausted: the consumer never acknowledged it",
      bodyJson: '"not an event"',
    });
    const sparseLetter = letters.get("u-sparse")!;
    expect(sparseLetter.reason).toContain(`cut to its first ${MAX_BODY_JSON_CHARS} of`);
    expect(JSON.parse(sparseLetter.bodyJson)).toMatchObject({
      truncatedJson: expect.stringMatching(/^\[null,null,/),
      length: JSON.stringify(sparse).length,
    });
    expect(letters.get("u-letter")).toMatchObject({
      queue: "payments-inbox",
      reason: "bad; body is not JSON: a Map as its entries",
      attempts: 3,
      eventId: "evt-map",
      bodyJson: '{"id":"evt-map","m":[["a",1]]}',
    });
  });

  it("files each letter on its own when the office cannot take the batch in one call", async () => {
    // 40 letters of about 1 MB as they travel (a two-byte character each): past the 32 MiB one call to the office may carry,
    // while each on its own fits. The same path keeps one letter the office refuses from holding
    // back the others.
    const big = (n: number) => ({ id: `evt-big-${n}`, padding: "\u20ac".repeat(MAX_BODY_JSON_CHARS - 100) });
    const messages = Array.from({ length: 40 }, (_, n) => ({ id: `big-${n}`, body: big(n) }));
    const result = await deliver("delivery-inbox-dlq", messages);
    expect(result.retryMessages).toEqual([]);
    expect(result.explicitAcks.sort()).toEqual(messages.map((m) => m.id).sort());
    // Read in the object: all 40 letters at once are too big to answer in one call too.
    const filed = await runInDurableObject(office("delivery-inbox-dlq"), (_o: DeadLetterOffice, state) =>
      state.storage.sql
        .exec<{ event_id: string }>("SELECT event_id FROM dead_letters ORDER BY event_id")
        .toArray()
        .map((r) => r.event_id),
    );
    expect(filed).toEqual(messages.map((m) => m.body.id).sort());
  });
});
