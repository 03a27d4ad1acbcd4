import { describe, expect, it } from "vitest";
import {
  defineSubscription,
  describeRetrySchedule,
  formatDuration,
  QUEUES_MAX_DELAY_SECONDS,
  retryDelaySeconds,
  retryScheduleProblems,
  retryWindowSeconds,
  type RetrySchedule,
} from "../../shared/bus/subscription";
import { subscriptions } from "../../workers/router/routing-table";

/**
 * Every subscriber's retry schedule, and how long an outage each rides out before an event it keeps
 * failing on is dead-lettered. This table is the one to read (and to change, with the schedule, on purpose).
 */
const SCHEDULES = {
  orders: "100 attempts, 1s doubling to 10m: retries for 15h 7m 3s",
  payments: "100 attempts, 1s doubling to 10m: retries for 15h 7m 3s",
  kitchen: "100 attempts, 1s doubling to 5m: retries for 7h 38m 31s",
  delivery: "100 attempts, 1s doubling to 5m: retries for 7h 38m 31s",
  collection: "100 attempts, 1s doubling to 5m: retries for 7h 38m 31s",
  loyalty: "100 attempts, 10s doubling to 12m: retries for 18h 45m 10s",
  analytics: "100 attempts, 10s doubling to 12m: retries for 18h 45m 10s",
  "staff-simulator": "20 attempts, 1s doubling to 1m: retries for 14m 3s",
};

/** The customer's path: an order waits on these, and a lost event can leave money or a pizza stranded. */
const CUSTOMERS_PATH = ["orders", "payments", "kitchen", "delivery", "collection"];

const HOUR = 3600;
const orders: RetrySchedule = { attempts: 100, firstDelaySeconds: 1, maxDelaySeconds: 600 };

describe("a retry schedule", () => {
  it("waits the first delay, then doubles it", () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelaySeconds(orders, n))).toEqual([1, 2, 4, 8, 16]);
    const slower = { attempts: 100, firstDelaySeconds: 10, maxDelaySeconds: 720 };
    expect([1, 2, 3, 4, 5].map((n) => retryDelaySeconds(slower, n))).toEqual([10, 20, 40, 80, 160]);
  });

  it("never waits longer than its cap, however many attempts", () => {
    expect(retryDelaySeconds(orders, 10)).toBe(512);
    expect(retryDelaySeconds(orders, 11)).toBe(600);
    expect([50, 99, 100, 5000].map((n) => retryDelaySeconds(orders, n))).toEqual([600, 600, 600, 600]);
  });

  it("covers the sum of its delays, from the first delivery to the last", () => {
    // 1 + 2 + … + 512 for the first ten failures, then 600 s for each of the other 89.
    expect(retryWindowSeconds(orders)).toBe(1023 + 89 * 600);
    expect(retryWindowSeconds({ attempts: 1, firstDelaySeconds: 5, maxDelaySeconds: 5 })).toBe(0);
    // What every subscriber had before: five attempts from 1 s, an outage of 15 s lost the event.
    expect(retryWindowSeconds({ attempts: 5, firstDelaySeconds: 1, maxDelaySeconds: 300 })).toBe(15);
  });

  it("reads as people read durations", () => {
    expect(formatDuration(54_423)).toBe("15h 7m 3s");
    expect(formatDuration(600)).toBe("10m");
    expect(formatDuration(90_061)).toBe("1d 1h 1m 1s");
    expect(formatDuration(0)).toBe("0s");
    expect(describeRetrySchedule(orders)).toBe("100 attempts, 1s doubling to 10m: retries for 15h 7m 3s");
  });

  it("is refused when the platform cannot keep it", () => {
    expect(retryScheduleProblems(orders)).toEqual([]);
    expect(retryScheduleProblems({ attempts: 101, firstDelaySeconds: 1, maxDelaySeconds: 60 })).toEqual([]);
    expect(retryScheduleProblems({ ...orders, attempts: 102 })).toEqual([
      expect.stringContaining("max_retries <= 100"),
    ]);
    expect(retryScheduleProblems({ ...orders, attempts: 0 })).toHaveLength(1);
    expect(retryScheduleProblems({ ...orders, firstDelaySeconds: 0.5 })).toHaveLength(1);
    expect(retryScheduleProblems({ ...orders, maxDelaySeconds: QUEUES_MAX_DELAY_SECONDS + 1 })).toEqual([
      expect.stringContaining("Queues' longest delay"),
    ]);
    // 100 attempts an hour apart outlive a queue that keeps messages for a day: they would vanish.
    expect(retryScheduleProblems({ attempts: 100, firstDelaySeconds: 3600, maxDelaySeconds: 3600 })).toEqual([
      expect.stringContaining("past the 24 h"),
    ]);
    expect(() =>
      defineSubscription({
        subscriber: "impatient",
        queue: "impatient-inbox",
        binding: "IMPATIENT_INBOX",
        deadLetterQueue: "impatient-inbox-dlq",
        events: {},
        retry: { attempts: 200, firstDelaySeconds: 1, maxDelaySeconds: 60 },
        intake: { batchSize: 10, batchWaitSeconds: 0, concurrency: "auto" },
      }),
    ).toThrow(/^impatient's retry schedule: attempts must be/);
  });
});

describe("each subscriber's retry schedule", () => {
  it("is the one in the table above", () => {
    expect(
      Object.fromEntries(subscriptions.map((s) => [s.subscriber, describeRetrySchedule(s.retry)])),
    ).toEqual(SCHEDULES);
  });

  it.each(subscriptions.map((s) => [s.subscriber, s] as const))("%s's fits Cloudflare Queues", (_name, s) => {
    expect(retryScheduleProblems(s.retry)).toEqual([]);
  });

  it.each(CUSTOMERS_PATH)("%s rides out an outage of hours, not seconds", (subscriber) => {
    const s = subscriptions.find((x) => x.subscriber === subscriber)!;
    expect(retryWindowSeconds(s.retry)).toBeGreaterThanOrEqual(6 * HOUR);
    // And it picks up again soon after the outage ends: no wait between attempts longer than ten minutes.
    expect(s.retry.maxDelaySeconds).toBeLessThanOrEqual(600);
  });

  it("rides out the longest outage where money is at stake: orders and payments", () => {
    const window = (subscriber: string) =>
      retryWindowSeconds(subscriptions.find((s) => s.subscriber === subscriber)!.retry);
    expect(window("orders")).toBeGreaterThanOrEqual(12 * HOUR);
    expect(window("payments")).toBeGreaterThanOrEqual(12 * HOUR);
  });
});
