import { expect } from "vitest";
import type { Decider, Rejection } from "../../shared/durable/decider";

/**
 * Given/When/Then for a decider's pure rules: given a state and the events that happened to it, when
 * a command comes, then these events happen (or the command is refused, and why).
 *
 *   spec.given(anOrder, submitted, paymentTaken).when(cancelByCustomer).then(cancelled, refundPayment)
 */
export function deciderSpec<S, C, E>(decider: Decider<S, C, E>) {
  return {
    given(initial: S, ...events: E[]) {
      const state = events.reduce((s, e) => decider.evolve(s, e), initial);
      return {
        when(command: C) {
          const decision = decider.decide(command, state);
          return {
            then(...expected: E[]) {
              expect(decision).toEqual({ ok: true, events: expected });
              return {
                state: (decision as { events: E[] }).events.reduce((s, e) => decider.evolve(s, e), state),
              };
            },
            thenRejected(status: Rejection["status"], reason: string | RegExp) {
              expect(decision).toEqual({
                ok: false,
                status,
                reason: typeof reason === "string" ? reason : expect.stringMatching(reason),
              });
            },
          };
        },
      };
    },
  };
}
