import { describe, expect, it } from "vitest";
import { backoffSeconds } from "../../shared/consumer/harness";
import { kitchenSubscription } from "../../workers/kitchen/subscriptions";

describe("consumer retry backoff", () => {
  it("doubles from the subscription's first delay up to its own cap, with no cap of its own", () => {
    const s = {
      ...kitchenSubscription,
      retry: { attempts: 100, firstDelaySeconds: 2, maxDelaySeconds: 3600 },
    };
    expect([1, 2, 3, 4].map((attempt) => backoffSeconds(s, attempt))).toEqual([2, 4, 8, 16]);
    // Past the five minutes every subscriber was once capped at, on to the schedule's hour.
    expect(backoffSeconds(s, 9)).toBe(512);
    expect(backoffSeconds(s, 11)).toBe(2048);
    expect(backoffSeconds(s, 12)).toBe(3600);
    expect(backoffSeconds(s, 99)).toBe(3600);
  });

  it("follows each subscriber's own schedule", () => {
    expect([1, 5, 50, 99].map((attempt) => backoffSeconds(kitchenSubscription, attempt))).toEqual([
      1, 16, 300, 300,
    ]);
  });
});
