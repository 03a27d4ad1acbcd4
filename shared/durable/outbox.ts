import type { PizzaEvent } from "../events/envelope";
import { copiesOf, happens, InjectedFault, NO_FAULTS, type Faults } from "../faults";
import { hasTable } from "./tables";

/**
 * The transactional outbox. A command handler writes its state change and the events that announce it
 * in one Durable Object transaction (`add` is synchronous, so it joins the caller's `transactionSync`);
 * `publish` then sends the rows to the bus queue and deletes a row only after the queue accepted it.
 * If the object crashes in between, the rows are still there and the next alarm sends them: an event
 * is never lost and never published for a change that did not commit. Publishing twice is harmless:
 * the event keeps its id, and consumers deduplicate by source+id.
 */
const SEND_BATCH_LIMIT = 50; // Queues allow 100 messages / 256 KB per sendBatch; events here are < 2 KB.

export class Outbox {
  constructor(private readonly storage: DurableObjectStorage) {}

  add(events: PizzaEvent[]): void {
    if (events.length === 0) return;
    // Created with the first event, in the caller's transaction: an object that publishes nothing
    // stores nothing.
    this.storage.sql.exec(`CREATE TABLE IF NOT EXISTS outbox (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL, event TEXT NOT NULL,
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

  /**
   * Sends every waiting row, oldest first. Throws (leaving unsent rows in place) if the queue refuses.
   * Local runs may refuse a send or send a row twice (`sendfail`, `duplicate`: shared/faults.ts).
   */
  async publish(bus: Queue, faults: Faults = NO_FAULTS): Promise<number> {
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
      try {
        if (happens(faults.sendFail)) throw new InjectedFault("the bus refused the outbox's send");
        await bus.sendBatch(
          rows.flatMap((r) =>
            Array.from({ length: copiesOf(faults) }, () => ({
              body: JSON.parse(r.event) as unknown,
              contentType: "json" as const,
            })),
          ),
        );
      } catch (error) {
        this.storage.sql.exec("UPDATE outbox SET attempts = attempts + 1 WHERE seq <= ?", rows.at(-1)!.seq);
        throw error;
      }
      this.storage.sql.exec("DELETE FROM outbox WHERE seq <= ?", rows.at(-1)!.seq);
      sent += rows.length;
    }
  }
}
