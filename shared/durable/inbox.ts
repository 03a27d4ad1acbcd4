import type { PizzaEvent } from "../events/envelope";
import type { HandlerOutcome, QueueDelivery } from "../consumer/harness";
import { hasTable } from "./tables";

/**
 * One event an object applied, as its inbox remembers it: what operators' timeline of an order
 * (GET /ops/orders/{orderId}/timeline) is built from. `subject`, `time`, `causationid`, `traceparent`
 * and `attempts` are absent for events remembered before the inbox kept them; `attempts` also when the
 * event was not applied from a queue delivery (a test, a direct call).
 */
export interface InboxEntry {
  source: string;
  id: string;
  type: string;
  subject?: string;
  time?: string;
  causationid?: string;
  traceparent?: string;
  /** When this object applied it (RFC 3339). */
  processedAt: string;
  /** The queue delivery that applied it: 1 the first, more after retries. */
  attempts: number | null;
}

/** Which of an object's inbox entries to read: those about one subject, or these events. */
export type InboxFilter = { subject: string } | { events: { source: string; id: string }[] };

type Row = {
  source: string;
  id: string;
  type: string;
  processed_at: string;
  subject?: string | null;
  time?: string | null;
  causationid?: string | null;
  traceparent?: string | null;
  attempts?: number | null;
};

/**
 * The columns added for the timeline (issue 11). In the same row as the event's key, never a row of
 * their own: every row written is billed (docs/PERFORMANCE.md), and these cost none.
 */
const TIMELINE_COLUMNS = ["subject", "time", "causationid", "traceparent", "attempts"] as const;
const COLUMN_TYPES: Record<(typeof TIMELINE_COLUMNS)[number], string> = {
  subject: "TEXT",
  time: "TEXT",
  causationid: "TEXT",
  traceparent: "TEXT",
  attempts: "INTEGER",
};

/**
 * The inbox of a Durable Object: the events it has already applied, keyed by CloudEvents source+id
 * (together they identify an event). Queues deliver at least once, so every consumer applies an event
 * through `once`, which runs the effect and records the event in one transaction: a redelivery is a
 * no-op, and a crash half way leaves neither the effect nor the record.
 *
 * Each row also keeps what operators need to see the event in an order's timeline: its subject, time,
 * cause and trace, and which delivery attempt applied it.
 */
export class Inbox {
  /** Whether this instance found the table with every column already (then it stops checking). */
  private upToDate = false;

  constructor(private readonly storage: DurableObjectStorage) {}

  has(event: Pick<PizzaEvent, "source" | "id">): boolean {
    return (
      hasTable(this.storage.sql, "inbox") &&
      this.storage.sql
        .exec("SELECT 1 FROM inbox WHERE source = ? AND id = ?", event.source, event.id)
        .toArray().length > 0
    );
  }

  /**
   * Records the event as processed; call inside the transaction that applies its effect. `delivery` is
   * the queue delivery that brought it (the consumer harness passes it to handlers).
   */
  remember(event: PizzaEvent, delivery?: QueueDelivery): void {
    this.ensureTable();
    this.storage.sql.exec(
      `INSERT INTO inbox (source, id, type, processed_at, subject, time, causationid, traceparent, attempts)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      event.source,
      event.id,
      event.type,
      new Date().toISOString(),
      event.subject ?? null,
      event.time,
      event.causationid,
      event.traceparent,
      delivery?.attempts ?? null,
    );
  }

  /**
   * Runs `effect` once per event, atomically with recording it (with the queue `delivery` that brought
   * it, when there is one: the effect comes last, so a handler's body reads as before).
   */
  once(event: PizzaEvent, effect: () => void): HandlerOutcome;
  once(event: PizzaEvent, delivery: QueueDelivery | undefined, effect: () => void): HandlerOutcome;
  once(
    event: PizzaEvent,
    ...args: [effect: () => void] | [delivery: QueueDelivery | undefined, effect: () => void]
  ): HandlerOutcome {
    const [delivery, effect] = args.length === 1 ? [undefined, args[0]] : args;
    return this.storage.transactionSync(() => {
      if (this.has(event)) return "duplicate";
      effect();
      this.remember(event, delivery);
      return "processed";
    });
  }

  /**
   * The events this object applied, oldest first: all of them, those about one subject, or the given
   * ones. Reads only: an object that applied none stores nothing for being asked. `subject` is not
   * indexed (an index is one more row written per event, for every event, to speed up an operator's
   * occasional read): it scans the object's inbox, which for the objects asked by subject (a
   * customer's loyalty account) is small.
   */
  entries(filter?: InboxFilter): InboxEntry[] {
    if (!hasTable(this.storage.sql, "inbox")) return [];
    // SELECT *: an inbox written before the timeline's columns has none of them until its next event.
    let rows: Row[];
    if (filter === undefined) {
      rows = this.storage.sql.exec<Row>("SELECT * FROM inbox").toArray();
    } else if ("subject" in filter) {
      if (!this.columns().includes("subject")) return [];
      rows = this.storage.sql.exec<Row>("SELECT * FROM inbox WHERE subject = ?", filter.subject).toArray();
    } else {
      rows = filter.events.flatMap((e) =>
        this.storage.sql
          .exec<Row>("SELECT * FROM inbox WHERE source = ? AND id = ?", e.source, e.id)
          .toArray(),
      );
    }
    return rows.map(entryOf).sort((a, b) => a.processedAt.localeCompare(b.processedAt));
  }

  /**
   * Created with the first event, in the same transaction: an object that applies none stores
   * nothing. An inbox created before the timeline's columns gains them with its next event, in that
   * event's transaction (its older rows keep them empty).
   */
  private ensureTable(): void {
    if (this.upToDate) return;
    if (!hasTable(this.storage.sql, "inbox")) {
      this.storage.sql.exec(`CREATE TABLE inbox (
        source TEXT NOT NULL, id TEXT NOT NULL, type TEXT NOT NULL, processed_at TEXT NOT NULL,
        subject TEXT, time TEXT, causationid TEXT, traceparent TEXT, attempts INTEGER,
        PRIMARY KEY (source, id)) WITHOUT ROWID`);
      return;
    }
    const columns = this.columns();
    const missing = TIMELINE_COLUMNS.filter((c) => !columns.includes(c));
    for (const column of missing)
      this.storage.sql.exec(`ALTER TABLE inbox ADD COLUMN ${column} ${COLUMN_TYPES[column]}`);
    // Trusted from now on only once nothing had to change: what is created or added here may still roll
    // back with its transaction, and the next event must then do it again.
    this.upToDate = missing.length === 0;
  }

  private columns(): string[] {
    return this.storage.sql
      .exec<{ name: string }>("PRAGMA table_info(inbox)")
      .toArray()
      .map((c) => c.name);
  }
}

function entryOf(row: Row): InboxEntry {
  return {
    source: row.source,
    id: row.id,
    type: row.type,
    ...(row.subject ? { subject: row.subject } : {}),
    ...(row.time ? { time: row.time } : {}),
    ...(row.causationid ? { causationid: row.causationid } : {}),
    ...(row.traceparent ? { traceparent: row.traceparent } : {}),
    processedAt: row.processed_at,
    attempts: row.attempts ?? null,
  };
}
