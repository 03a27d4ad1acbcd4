import type { PizzaEvent } from "../events/envelope";
import type { HandlerOutcome } from "../consumer/harness";
import { hasTable } from "./tables";

/**
 * The inbox of a Durable Object: the events it has already applied, keyed by CloudEvents source+id
 * (together they identify an event). Queues deliver at least once, so every consumer applies an event
 * through `once`, which runs the effect and records the event in one transaction: a redelivery is a
 * no-op, and a crash half way leaves neither the effect nor the record.
 */
export class Inbox {
  constructor(private readonly storage: DurableObjectStorage) {}

  has(event: Pick<PizzaEvent, "source" | "id">): boolean {
    return (
      hasTable(this.storage.sql, "inbox") &&
      this.storage.sql
        .exec("SELECT 1 FROM inbox WHERE source = ? AND id = ?", event.source, event.id)
        .toArray().length > 0
    );
  }

  /** Records the event as processed; call inside the transaction that applies its effect. */
  remember(event: PizzaEvent): void {
    // Created with the first event, in the same transaction: an object that applies none stores nothing.
    this.storage.sql.exec(`CREATE TABLE IF NOT EXISTS inbox (
      source TEXT NOT NULL, id TEXT NOT NULL, type TEXT NOT NULL, processed_at TEXT NOT NULL,
      PRIMARY KEY (source, id)) WITHOUT ROWID`);
    this.storage.sql.exec(
      "INSERT INTO inbox (source, id, type, processed_at) VALUES (?, ?, ?, ?)",
      event.source,
      event.id,
      event.type,
      new Date().toISOString(),
    );
  }

  /** Runs `effect` once per event, atomically with recording it. */
  once(event: PizzaEvent, effect: () => void): HandlerOutcome {
    return this.storage.transactionSync(() => {
      if (this.has(event)) return "duplicate";
      effect();
      this.remember(event);
      return "processed";
    });
  }
}
