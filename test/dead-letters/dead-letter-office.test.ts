import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { deadLetter } from "../../shared/bus/dead-letter";
import worker from "../../workers/dead-letters";
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
});
