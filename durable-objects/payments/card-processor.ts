/**
 * The simulated card processor. There is no real one here: this module is the seam where a real
 * processor would plug in. A real one is asked to charge the card and answers later through a
 * webhook; that webhook would land on the order's Payment object in place of the alarm that stands
 * for it here (durable-objects/payments/payment.ts). Being pure, the simulation is the same in tests, in
 * `npm run dev` and deployed, and test cards pick the answer:
 *
 *   tok_declined             declined after the usual processing delay
 *   tok_no_answer            never answers (the order's payment deadline is what ends it)
 *   tok_answer_after_<N>s    approved after N seconds, N from 1 to 300 (a slow processor)
 *   any other token          approved after the usual processing delay (tok_visa, tok_card_on_file…)
 */
export type CardAnswer = { outcome: "approved" | "declined"; afterMs: number } | { outcome: "no-answer" };

/**
 * How long the processor usually takes to answer: a stand-in for a card authorisation, which takes a
 * few hundred milliseconds. It was 500 ms; it is 300 ms since issue 10 set submit -> confirmed at
 * 500 ms p50, so that the target leaves the system's own path a budget instead of none.
 * `npm run bench:system` shows this wait as its own hop, apart from the system's share.
 */
export const PROCESSING_DELAY_MS = 300;
const SLOWEST_ANSWER_SECONDS = 300;

const ANSWER_AFTER = /^tok_answer_after_([1-9][0-9]{0,2})s$/;

/** What the card processor will answer for this card, and when. */
export function cardProcessorAnswer(cardToken: string): CardAnswer {
  if (cardToken === "tok_declined") return { outcome: "declined", afterMs: PROCESSING_DELAY_MS };
  if (cardToken === "tok_no_answer") return { outcome: "no-answer" };
  const slow = ANSWER_AFTER.exec(cardToken);
  const seconds = slow ? Number(slow[1]) : undefined;
  if (seconds !== undefined && seconds <= SLOWEST_ANSWER_SECONDS)
    return { outcome: "approved", afterMs: seconds * 1000 };
  return { outcome: "approved", afterMs: PROCESSING_DELAY_MS };
}
