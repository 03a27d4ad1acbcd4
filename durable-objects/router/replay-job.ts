/**
 * A replay job of the event archive as the ops API asks for it and reads it back (the ArchiveReplay
 * object, archive-replay.ts, does the work). No Workers runtime here: the Node tests use it too.
 */
export interface ReplayRequest {
  /** The job's id: its object's name. */
  id: string;
  subscriber: string;
  /** The subscriber's queue, and the router's producer binding for it. */
  queue: string;
  binding: string;
  /** RFC 3339: the events whose `time` is at or after `from` and before `to`. */
  from: string;
  to: string;
  /** The event types sent: those the subscriber reads, or the operator's choice among them. */
  types: string[];
  /** The operator who asked for it. */
  requestedBy: string;
}

export const REPLAY_STATES = ["running", "done", "failed"] as const;
export type ReplayState = (typeof REPLAY_STATES)[number];

/** A job as operators see it. */
export interface ReplayProgress {
  id: string;
  subscriber: string;
  queue: string;
  from: string;
  to: string;
  types: string[];
  requestedBy: string;
  requestedAt: string;
  state: ReplayState;
  /** Archive hours listed and read to the end, of those the range touches. */
  hours: { read: number; of: number };
  objectsRead: number;
  /** Every archived event read, chosen or not. */
  eventsRead: number;
  eventsSent: number;
  /** Chosen again in this run (archived more than once): not sent again. */
  duplicatesSkipped: number;
  /** Of another type, or with a `time` outside the range (an hour's objects hold the whole hour). */
  eventsNotSelected: number;
  /** Chosen, not sent yet. */
  waiting: number;
  updatedAt: string;
  finishedAt: string | null;
  /** Why it failed; while running, the last error it is retrying after. */
  error: string | null;
}
