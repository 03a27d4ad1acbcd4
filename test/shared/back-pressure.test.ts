import { describe, expect, it } from "vitest";
import { overload, RETRY_AFTER_SECONDS } from "../../shared/http/back-pressure";

const limits = { maxBacklog: 1000 };

describe("back-pressure", () => {
  it("accepts work while the bus keeps up", () => {
    expect(overload({ backlog: 0 }, limits)).toEqual({ overloaded: false });
    expect(overload({ backlog: 1000 }, limits)).toEqual({ overloaded: false });
  });

  it("refuses it when too much waits, saying how much and when to come back", () => {
    expect(overload({ backlog: 1001 }, limits)).toEqual({
      overloaded: true,
      retryAfterSeconds: RETRY_AFTER_SECONDS,
      reason: "the event bus is behind: 1001 messages waiting (limit 1000)",
    });
  });
});
