import { DurableObject } from "cloudflare:workers";

/**
 * The dead letters of one dead-letter queue (one object per queue, so no single object takes every
 * failure in the system). Each letter keeps the message exactly as it was, why it failed, and the
 * event's type/id when it had them, for operators to read through GET /ops/dead-letters.
 */
export interface DeadLetterRecord {
  messageId: string;
  deadLetterQueue: string;
  /** The queue the message failed in. */
  queue: string;
  reason: string;
  attempts: number;
  eventType?: string;
  eventId?: string;
  deadLetteredAt: string;
  receivedAt: string;
  /** The failed message's body as JSON text (kept as text: exactly what arrived). */
  bodyJson: string;
}

type Row = {
  message_id: string;
  dead_letter_queue: string;
  queue: string;
  reason: string;
  attempts: number;
  event_type: string | null;
  event_id: string | null;
  dead_lettered_at: string;
  received_at: string;
  body: string;
};

export class DeadLetterOffice extends DurableObject {
  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env as never);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS dead_letters (
      message_id TEXT PRIMARY KEY, dead_letter_queue TEXT NOT NULL, queue TEXT NOT NULL, reason TEXT NOT NULL,
      attempts INTEGER NOT NULL, event_type TEXT, event_id TEXT, dead_lettered_at TEXT NOT NULL,
      received_at TEXT NOT NULL, body TEXT NOT NULL)`);
  }

  /** Files letters; a redelivered one (same message id) is filed once. */
  file(letters: Omit<DeadLetterRecord, "receivedAt">[]): void {
    const receivedAt = new Date().toISOString();
    for (const l of letters) {
      this.ctx.storage.sql.exec(
        "INSERT OR IGNORE INTO dead_letters VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        l.messageId,
        l.deadLetterQueue,
        l.queue,
        l.reason,
        l.attempts,
        l.eventType ?? null,
        l.eventId ?? null,
        l.deadLetteredAt,
        receivedAt,
        l.bodyJson,
      );
    }
  }

  list(limit: number): DeadLetterRecord[] {
    return this.ctx.storage.sql
      .exec<Row>("SELECT * FROM dead_letters ORDER BY received_at DESC LIMIT ?", limit)
      .toArray()
      .map((r) => ({
        messageId: r.message_id,
        deadLetterQueue: r.dead_letter_queue,
        queue: r.queue,
        reason: r.reason,
        attempts: r.attempts,
        ...(r.event_type ? { eventType: r.event_type } : {}),
        ...(r.event_id ? { eventId: r.event_id } : {}),
        deadLetteredAt: r.dead_lettered_at,
        receivedAt: r.received_at,
        bodyJson: r.body,
      }));
  }
}
