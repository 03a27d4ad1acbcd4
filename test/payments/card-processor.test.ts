import { describe, expect, it } from "vitest";
import { cardProcessorAnswer, PROCESSING_DELAY_MS } from "../../durable-objects/payments/card-processor";

describe("the simulated card processor", () => {
  it("approves an ordinary card after the usual processing delay", () => {
    expect(PROCESSING_DELAY_MS).toBe(300);
    expect(cardProcessorAnswer("tok_visa")).toEqual({ outcome: "approved", afterMs: 300 });
    expect(cardProcessorAnswer("tok_card_on_file")).toEqual({ outcome: "approved", afterMs: 300 });
  });

  it("declines tok_declined after the usual processing delay", () => {
    expect(cardProcessorAnswer("tok_declined")).toEqual({ outcome: "declined", afterMs: 300 });
  });

  it("never answers for tok_no_answer", () => {
    expect(cardProcessorAnswer("tok_no_answer")).toEqual({ outcome: "no-answer" });
  });

  it("approves tok_answer_after_<N>s after N seconds, for N from 1 to 300", () => {
    expect(cardProcessorAnswer("tok_answer_after_1s")).toEqual({ outcome: "approved", afterMs: 1_000 });
    expect(cardProcessorAnswer("tok_answer_after_45s")).toEqual({ outcome: "approved", afterMs: 45_000 });
    expect(cardProcessorAnswer("tok_answer_after_300s")).toEqual({ outcome: "approved", afterMs: 300_000 });
  });

  it("treats a slow-answer token outside 1..300 seconds as an ordinary card", () => {
    for (const token of [
      "tok_answer_after_0s",
      "tok_answer_after_301s",
      "tok_answer_after_05s",
      "tok_answer_after_1000s",
      "tok_answer_after_s",
    ]) {
      expect(cardProcessorAnswer(token), token).toEqual({ outcome: "approved", afterMs: 300 });
    }
  });
});
