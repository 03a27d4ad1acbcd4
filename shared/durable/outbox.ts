import { destinationOf } from "../bus/destination";
import { sendAll, type Outgoing } from "../bus/send";
import type { QueueName } from "../bus/shards";
import { byteLength, checkIn, QUEUE_MESSAGE_LIMIT_BYTES } from "../events/claim-check";
import type { PizzaEvent } from "../events/envelope";
import { copiesOf, happens, InjectedFault, NO_FAULTS, type Faults } from "../faults";
import { logEvent } from "../log";
import { hasTable } from "./tables";

/**
 * The transactional outbox. A command handler writes its state change and the events that announce it
 * in one Durable Object transaction (`add` is synchronous, so it joins the caller's `transactionSync`);
 * `publish` then sends the rows (events to the bus, commands to their recipient) and deletes a row only
 * after its queue accepted it.
 * If the object crashes in between, the rows are still there and the next alarm sends them: an event
 * is never lost and never published for a change that did not commit. Publishing twice is harmless:
 * the event keeps its id, and consumers deduplicate by source+id.
 *
 * An event too big for a queue message goes with a claim check (shared/events/claim-check.ts): its data
 * in R2, a `dataref` in the envelope. A row the bus can never take (still too big: no claims bucket) is
 * quarantined, logged and counted, so it never blocks the rows behind it.
 */
const SEND_BATCH_LIMIT = 50; // rows read per round; shared/bus/send.ts splits them to Queues' limits
/** Room for what Queues adds to a message: an envelope above this can never be sent. */
const LARGEST_ENVELOPE_BYTES = QUEUE_MESSAGE_LIMIT_BYTES - 1024;

/** What of a stored event picks its queue. */
type Destined = { type: string; subject?: string; id: string };

/** The publisher's producer binding for a queue; a missing one fails the send (the rows stay, retried). */
function producerBinding(bindings: object, name: QueueName): Queue {
  const queue = (bindings as Record<string, Queue | undefined>)[name.binding];
  if (!queue) throw new Error(`no producer binding ${name.binding} for ${name.queue}`);
  return queue;
}

export class Outbox {
  constructor(private readonly storage: DurableObjectStorage) {}

  add(events: PizzaEvent[]): void {
    if (events.length === 0) return;
    // Created with the first event, in the caller's transaction: an object that publishes nothing
    // stores nothing.
    this.storage.sql.exec(`CREATE TABLE IF NOT EXISTS outbox (
      seq INTEGER PRIMARY KEY, event_id TEXT NOT NULL, event TEXT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0)`);
    for (const event of events) {
      this.storage.sql.exec(
        "INSERT INTO outbox (event_id, event) VALUES (?, ?)",
        event.id,
        JSON.stringify(event),
      );
    }
  }

  pending(): number {
    if (!this.created()) return 0;
    return this.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM outbox").one().n;
  }

  /** Highest attempt count among waiting rows: drives the retry backoff. */
  attempts(): number {
    if (!this.created()) return 0;
    return this.storage.sql.exec<{ a: number | null }>("SELECT MAX(attempts) AS a FROM outbox").one().a ?? 0;
  }

  private created(): boolean {
    return hasTable(this.storage.sql, "outbox");
  }

  /** Rows the bus can never take, set aside with the reason (ops and tests). */
  quarantined(): { eventId: string; type: string; reason: string; quarantinedAt: string }[] {
    if (!hasTable(this.storage.sql, "outbox_quarantine")) return [];
    return this.storage.sql
      .exec<{ event_id: string; type: string; reason: string; quarantined_at: string }>(
        "SELECT event_id, type, reason, quarantined_at FROM outbox_quarantine ORDER BY seq",
      )
      .toArray()
      .map((r) => ({ eventId: r.event_id, type: r.type, reason: r.reason, quarantinedAt: r.quarantined_at }));
  }

  /**
   * Sends every waiting row, oldest first, each to where it goes (shared/bus/destination.ts): an event
   * to its shard of the bus, a command straight to its recipient's queue, through the publisher's
   * producer bindings (`bindings`, its env). Big events are claim-checked into `claims` first. A row is
   * deleted once its queue accepted it; if a queue or the claims bucket refuses, the rows it did not
   * take stay (their attempts counted) and this throws. Local runs may refuse a send or send a row
   * twice (`sendfail`, `duplicate`: shared/faults.ts).
   */
  async publish(bindings: object, faults: Faults = NO_FAULTS, claims?: R2Bucket): Promise<number> {
    if (!this.created()) return 0;
    let sent = 0;
    for (;;) {
      const rows = this.storage.sql
        .exec<{ seq: number; event: string }>(
          "SELECT seq, event FROM outbox ORDER BY seq LIMIT ?",
          SEND_BATCH_LIMIT,
        )
        .toArray();
      if (rows.length === 0) return sent;
      /** The round's rows by the queue (binding) each goes to, in order. */
      const byQueue = new Map<string, { name: QueueName; seqs: number[]; outgoing: Outgoing[] }>();
      let quarantined = 0;
      try {
        if (happens(faults.sendFail)) throw new InjectedFault("the bus refused the outbox's send");
        for (const row of rows) {
          const event = JSON.parse(row.event) as Record<string, unknown> & Destined;
          const envelope = await checkIn(event, claims);
          const size = byteLength(envelope);
          if (size > LARGEST_ENVELOPE_BYTES) {
            this.quarantine(
              row,
              `${size} bytes: larger than a queue message, and no claims bucket to check it in`,
            );
            quarantined++;
            continue;
          }
          const name = destinationOf(event, bindings);
          const group = byQueue.get(name.binding) ?? { name, seqs: [], outgoing: [] };
          byQueue.set(name.binding, group);
          group.seqs.push(row.seq);
          for (let copy = copiesOf(faults); copy > 0; copy--) group.outgoing.push({ body: envelope });
        }
      } catch (error) {
        this.storage.sql.exec("UPDATE outbox SET attempts = attempts + 1 WHERE seq <= ?", rows.at(-1)!.seq);
        throw error;
      }
      // Each queue in parallel: one order's round usually goes to one bus shard and, for a command, to
      // its recipient's queue.
      const groups = [...byQueue.values()];
      const results = await Promise.allSettled(
        groups.map(async ({ name, outgoing }) => sendAll(producerBinding(bindings, name), outgoing)),
      );
      const done = groups.filter((_, i) => results[i]!.status === "fulfilled").flatMap((g) => g.seqs);
      const left = groups.filter((_, i) => results[i]!.status === "rejected").flatMap((g) => g.seqs);
      this.execOnRows("DELETE FROM outbox", done);
      sent += done.length + quarantined;
      if (left.length > 0) {
        this.execOnRows("UPDATE outbox SET attempts = attempts + 1", left);
        throw (results.find((r) => r.status === "rejected") as PromiseRejectedResult).reason;
      }
    }
  }

  /** Runs `statement` on the rows `seqs` (at most a round's 50: within SQLite's bound parameters). */
  private execOnRows(statement: string, seqs: number[]): void {
    if (seqs.length === 0) return;
    this.storage.sql.exec(`${statement} WHERE seq IN (${seqs.map(() => "?").join(", ")})`, ...seqs);
  }

  private quarantine(row: { seq: number; event: string }, reason: string): void {
    const event = JSON.parse(row.event) as { id: string; type: string };
    this.storage.transactionSync(() => {
      this.storage.sql.exec(`CREATE TABLE IF NOT EXISTS outbox_quarantine (
        seq INTEGER PRIMARY KEY, event_id TEXT NOT NULL, type TEXT NOT NULL, event TEXT NOT NULL,
        reason TEXT NOT NULL, quarantined_at TEXT NOT NULL)`);
      this.storage.sql.exec(
        "INSERT OR IGNORE INTO outbox_quarantine VALUES (?, ?, ?, ?, ?, ?)",
        row.seq,
        event.id,
        event.type,
        row.event,
        reason,
        new Date().toISOString(),
      );
      this.storage.sql.exec("DELETE FROM outbox WHERE seq = ?", row.seq);
    });
    logEvent({ at: "outbox", outcome: "quarantined", type: event.type, id: event.id, reason });
  }
}
