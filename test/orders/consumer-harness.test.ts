import { describe, expect, it } from "vitest";
import { backoffSeconds } from "../../shared/consumer/harness";
import { kitchenSubscription } from "../../workers/kitchen/subscriptions";

describe("consumer retry backoff", () => {
  it("doubles from the subscription's first delay and caps at five minutes", () => {
    const s = { ...kitchenSubscription, retryDelaySeconds: 2 };
    expect([1, 2, 3, 4].map((attempt) => backoffSeconds(s, attempt))).toEqual([2, 4, 8, 16]);
    expect(backoffSeconds(s, 30)).toBe(300);
  });
});
