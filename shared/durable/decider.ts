import type { CommandOutcome } from "../http/staff-command";

/**
 * A decider, as in event-sourcing samples: a thing's business rules as two pure functions over a plain
 * state, with no storage, clock or randomness in them.
 *  - `decide(command, state)`: what happens, as the events that say so (type and data; the Durable
 *    Object gives them their envelope), or why the command is refused;
 *  - `evolve(state, event)`: the state after one event.
 * The Durable Object around a decider loads the state, records the events and the new state in one
 * transaction with its outbox and inbox, and publishes. The rules are tested Given/When/Then in Node.
 */
export type Rejection = Extract<CommandOutcome<never>, { ok: false }>;
export type Decision<E> = { ok: true; events: E[] } | Rejection;

export interface Decider<S, C, E> {
  decide(command: C, state: S): Decision<E>;
  evolve(state: S, event: E): S;
}

/** The decision that the events happen. */
export const accept = <E>(...events: E[]): Decision<E> => ({ ok: true, events });

/** The decision to refuse a command: 404 when there is nothing to act on, 409 when it is the wrong moment. */
export const reject = (status: Rejection["status"], reason: string): Rejection => ({
  ok: false,
  status,
  reason,
});
