import type { Context } from "hono";
import { errorResponse } from "./errors";

/**
 * The answer to a staff command (start preparing, driver collected, …) that a Durable Object decided:
 * 202 with the new state, 404 for an unknown order, 409 with the reason when the order is not in a
 * state where the command makes sense. Repeating a command that already took effect is a 202 again.
 */
export type CommandOutcome<S> = { ok: true; state: S } | { ok: false; status: 404 | 409; reason: string };

export function commandResponse<S extends object>(c: Context, outcome: CommandOutcome<S>) {
  if (outcome.ok) return c.json(outcome.state, 202);
  return errorResponse(c, outcome.status, outcome.status === 404 ? "not_found" : "conflict", outcome.reason);
}

/**
 * Where a staff step stands on a linear lifecycle (kitchen ticket, delivery): already done (a repeat,
 * answered 202 with nothing new), allowed now, or out of order (409 with why).
 */
export function staffStep<S extends string>(
  lifecycle: readonly S[],
  current: S,
  step: { from: S; to: S },
  thing: string,
): "already-done" | "go" | { ok: false; status: 409; reason: string } {
  if (lifecycle.indexOf(current) >= lifecycle.indexOf(step.to)) return "already-done";
  if (current !== step.from)
    return { ok: false, status: 409, reason: `The ${thing} is ${current}; it must be ${step.from} first.` };
  return "go";
}
