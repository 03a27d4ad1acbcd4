import { CloudEvent } from "cloudevents";
import { describe, expect, it } from "vitest";
import {
  byteLength,
  CLAIM_CHECK_THRESHOLD_BYTES,
  claimedEnvelope,
  claimKeyOf,
  QUEUE_MESSAGE_LIMIT_BYTES,
  sha256Hex,
} from "../../shared/events/claim-envelope";
import { createEvent } from "../../shared/events/envelope";
import { startTrace } from "../../shared/events/trace";
import { cateringOrderConfirmed } from "../support/catering";
import { exampleData } from "../support/example-events";

/** The claim-checked envelope as it travels, and the setting's margin under the queue's limit. */
describe("a claim-checked envelope", () => {
  it("is a CloudEvent the SDK accepts in strict mode: no data, the dataref extension", async () => {
    const event = cateringOrderConfirmed();
    expect(byteLength(event)).toBeGreaterThan(QUEUE_MESSAGE_LIMIT_BYTES);
    const claimed = claimedEnvelope(event, await sha256Hex(JSON.stringify(event.data)));
    expect(claimed.data).toBeUndefined();
    expect(claimKeyOf(claimed.dataref)).toBe(`claims/${await sha256Hex(JSON.stringify(event.data))}`);
    expect(new CloudEvent({ ...(claimed as Record<string, unknown>) }, true).validate()).toBe(true);
    expect(byteLength(claimed)).toBeLessThan(2 * 1024);
  });

  it("is only ever one of ours: any other dataref names no claim", () => {
    expect(claimKeyOf("https://example.com/claims/abc")).toBeUndefined();
    expect(claimKeyOf(`r2://pizza-event-claims/claims/${"0".repeat(63)}`)).toBeUndefined();
    expect(claimKeyOf(`r2://pizza-event-claims/claims/../${"0".repeat(64)}`)).toBeUndefined();
    expect(claimKeyOf(`r2://pizza-event-claims/claims/${"a".repeat(64)}`)).toBe(`claims/${"a".repeat(64)}`);
  });

  it("leaves room under the queue's limit for what Queues adds to a message", () => {
    expect(CLAIM_CHECK_THRESHOLD_BYTES).toBeLessThan(QUEUE_MESSAGE_LIMIT_BYTES - 16 * 1024);
    const small = createEvent(
      "com.plantbasedpizza.order.confirmed.v2",
      exampleData("com.plantbasedpizza.order.confirmed.v2"),
      {
        traceparent: startTrace(),
        causationid: "test",
        subject: crypto.randomUUID(),
      },
    );
    expect(byteLength(small)).toBeLessThan(CLAIM_CHECK_THRESHOLD_BYTES);
  });
});
