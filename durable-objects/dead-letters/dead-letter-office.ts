import { DurableObject } from "cloudflare:workers";
import { logEvent } from "../../shared/log";

/**
 * The dead letters of one dead-letter queue (one object per queue, so no single object takes every
 * failure in the system). Each letter keeps the message exactly as it was, why it failed, and the
 * event's type/id when it had them, for operators to read through GET /ops/dead-letters.
 *
 * Letters hold customer data, so they are kept for a retention period only (DEAD_LETTER_RETENTION_DAYS
 * in workers/dead-letters/wrangler.toml): the object's alarm deletes letters filed longer ago than
 * that, and wakes again at the next letter's expiry while it holds any.
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

/**
 * Two weeks: as long as Cloudflare Queues can keep a message at most (14 days), so a failure is never
 * forgotten sooner than the queue itself could have held it, and two working weeks for operators to
 * read, fix and redrive (a long weekend or a holiday included) before customer data is deleted.
 */
export const DEFAULT_RETENTION_DAYS = 14;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The retention setting in days; a missing or unusable value keeps the default (and says why). */
export function retentionDays(setting: string | undefined): { days: number; problem?: string } {
  if (setting === undefined || setting.trim() === "") return { days: DEFAULT_RETENTION_DAYS };
  const days = Number(setting);
  return Number.isFinite(days) && days > 0
    ? { days }
    : {
        days: DEFAULT_RETENTION_DAYS,
        problem: `DEAD_LETTER_RETENTION_DAYS "${setting}" is not a positive number of days`,
      };
}

export interface DeadLetterOfficeEnv {
  DEAD_LETTER_RETENTION_DAYS?: string;
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
  private readonly retentionMs: number;

  constructor(ctx: DurableObjectState, env: DeadLetterOfficeEnv) {
    super(ctx, env as never);
    const retention = retentionDays(env.DEAD_LETTER_RETENTION_DAYS);
    if (retention.problem)
      logEvent({ at: "dead-letter-office", outcome: "retention-setting-ignored", reason: retention.problem });
    this.retentionMs = retention.days * DAY_MS;
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS dead_letters (
      message_id TEXT PRIMARY KEY, dead_letter_queue TEXT NOT NULL, queue TEXT NOT NULL, reason TEXT NOT NULL,
      attempts INTEGER NOT NULL, event_type TEXT, event_id TEXT, dead_lettered_at TEXT NOT NULL,
      received_at TEXT NOT NULL, body TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS dead_letters_by_received_at ON dead_letters (received_at);`);
  }

  /** Files letters; a redelivered one (same message id) is filed once. Arms the retention alarm. */
  async file(letters: Omit<DeadLetterRecord, "receivedAt">[]): Promise<void> {
    const receivedAt = new Date().toISOString();
    this.ctx.storage.transactionSync(() => {
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
    });
    await this.armRetention();
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

  /** Retention: deletes the letters filed longer ago than the retention period, then wakes for the next. */
  override async alarm(): Promise<void> {
    const cutoff = new Date(Date.now() - this.retentionMs).toISOString();
    const expired = this.ctx.storage.sql
      .exec("DELETE FROM dead_letters WHERE received_at <= ? RETURNING message_id", cutoff)
      .toArray().length;
    logEvent({
      at: "dead-letter-office",
      outcome: "expired",
      count: expired,
      retentionDays: this.retentionMs / DAY_MS,
    });
    // This alarm has fired: the next one is the oldest remaining letter's expiry, if any remains.
    const next = this.nextExpiry();
    if (next !== undefined) await this.ctx.storage.setAlarm(next);
  }

  /** Sets the alarm to the oldest letter's expiry, unless it is already due sooner. */
  private async armRetention(): Promise<void> {
    const next = this.nextExpiry();
    if (next === undefined) return;
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > next) await this.ctx.storage.setAlarm(next);
  }

  /** When the oldest letter expires; undefined when there is none. */
  private nextExpiry(): number | undefined {
    const { oldest } = this.ctx.storage.sql
      .exec<{ oldest: string | null }>("SELECT MIN(received_at) AS oldest FROM dead_letters")
      .one();
    return oldest === null ? undefined : Date.parse(oldest) + this.retentionMs;
  }
}
