import { inSendBatches, textBytes } from "../../shared/bus/send";
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
 *
 * Operators act on letters: redrive (the alarm sends the chosen letters back, exactly as they were, to
 * the queue they failed in, at most REDRIVE_PER_TICK a second) or discard with a reason (kept until
 * retention, no longer waiting). A letter filed again for an event already redriven from the same
 * queue is a repeated failure. Every action is recorded with the operator who took it.
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

export const LETTER_STATES = ["waiting", "redrive-scheduled", "redriven", "discarded"] as const;
export type LetterState = (typeof LETTER_STATES)[number];

/** A filed letter as operators see it: what was filed, and what has become of it. */
export interface FiledLetter extends DeadLetterRecord {
  state: LetterState;
  /** When it last changed state (absent while it has never left `waiting`). */
  stateChangedAt?: string;
  /** Why it was discarded. */
  discardReason?: string;
  /** Why its last redrive could not be sent (it is waiting again). */
  redriveError?: string;
  /** Filed again for an event already redriven from the same queue, and how many times it was. */
  repeatedFailure: boolean;
  repeatedFailures: number;
}

/** The waiting letters that failed for one reason. */
export interface ReasonGroup {
  reason: string;
  count: number;
  oldestReceivedAt: string;
  newestReceivedAt: string;
  /** How many of them are repeated failures. */
  repeatedFailures: number;
}

export interface AuditEntry {
  deadLetterQueue: string;
  at: string;
  operator: string;
  action: "redrive" | "discard";
  messageIds: string[];
  /** The reason group redriven (null when chosen by ids), or why the letters were discarded. */
  reason: string | null;
}

/**
 * `targets`: the queues a letter may go back to, each with the office worker's producer binding for it
 * (workers/dead-letters/redrive.ts): a letter that failed elsewhere cannot be redriven.
 */
export type RedriveRequest = {
  deadLetterQueue: string;
  operator: string;
  targets: Readonly<Record<string, string>>;
} & ({ messageIds: string[] } | { reason: string });

export type ActionResult =
  | { outcome: "done"; messageIds: string[]; notRedrivable?: { messageId: string; why: string }[] }
  | { outcome: "unknown"; messageIds: string[] }
  | { outcome: "conflict"; letters: { messageId: string; why: string }[] };

/**
 * Two weeks: as long as Cloudflare Queues can keep a message at most (14 days), so a failure is never
 * forgotten sooner than the queue itself could have held it, and two working weeks for operators to
 * read, fix and redrive (a long weekend or a holiday included) before customer data is deleted.
 */
export const DEFAULT_RETENTION_DAYS = 14;
/**
 * At most this many letters of one dead-letter queue are sent per tick of its office's alarm, one tick
 * a second: 25 a second is about what one subscriber's consumer takes in (batches of 10, a few round
 * trips to Durable Objects each), far inside a queue's 5,000 messages a second, so a redrive of
 * thousands drains in minutes without flooding the subscriber or starving its live traffic.
 */
export const REDRIVE_PER_TICK = 25;
export const REDRIVE_TICK_MS = 1000;
/** A queue message is at most 128 KB: a larger body (a truncated letter, say) cannot go back as it was. */
export const MAX_REDRIVE_BODY_BYTES = 128 * 1000;

/** Who did what is kept longer than the letters (it holds no customer data): a year. */
export const AUDIT_RETENTION_DAYS = 365;
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
  state: LetterState;
  state_at: string | null;
  discard_reason: string | null;
  redrive_error: string | null;
  redrive_binding: string | null;
  repeated_failures: number;
};

const ADDED_COLUMNS: Record<string, string> = {
  state: "TEXT NOT NULL DEFAULT 'waiting'",
  state_at: "TEXT",
  discard_reason: "TEXT",
  redrive_error: "TEXT",
  redrive_binding: "TEXT",
  repeated_failures: "INTEGER NOT NULL DEFAULT 0",
};

export class DeadLetterOffice extends DurableObject {
  private readonly retentionMs: number;
  private readonly queues: Record<string, unknown>;

  constructor(ctx: DurableObjectState, env: DeadLetterOfficeEnv) {
    super(ctx, env as never);
    this.queues = env as Record<string, unknown>;
    const retention = retentionDays(env.DEAD_LETTER_RETENTION_DAYS);
    if (retention.problem)
      logEvent({ at: "dead-letter-office", outcome: "retention-setting-ignored", reason: retention.problem });
    this.retentionMs = retention.days * DAY_MS;
    const sql = ctx.storage.sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS dead_letters (
      message_id TEXT PRIMARY KEY, dead_letter_queue TEXT NOT NULL, queue TEXT NOT NULL, reason TEXT NOT NULL,
      attempts INTEGER NOT NULL, event_type TEXT, event_id TEXT, dead_lettered_at TEXT NOT NULL,
      received_at TEXT NOT NULL, body TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS dead_letters_by_received_at ON dead_letters (received_at);`);
    // Offices filed before operators could act on letters: every letter they hold is waiting.
    const columns = new Set(
      sql
        .exec<{ name: string }>("PRAGMA table_info(dead_letters)")
        .toArray()
        .map((c) => c.name),
    );
    for (const [column, type] of Object.entries(ADDED_COLUMNS))
      if (!columns.has(column)) sql.exec(`ALTER TABLE dead_letters ADD COLUMN ${column} ${type}`);
    sql.exec(`CREATE INDEX IF NOT EXISTS dead_letters_by_state ON dead_letters (state, state_at);
    CREATE INDEX IF NOT EXISTS dead_letters_by_event ON dead_letters (event_id, queue);
    CREATE TABLE IF NOT EXISTS audit (seq INTEGER PRIMARY KEY AUTOINCREMENT, dead_letter_queue TEXT NOT NULL,
      at TEXT NOT NULL, operator TEXT NOT NULL, action TEXT NOT NULL, message_ids TEXT NOT NULL, reason TEXT);`);
  }

  /**
   * Files letters; a redelivered one (same message id) is filed once. A letter for an event already
   * redriven from the same queue is a repeated failure. Arms the retention alarm.
   */
  async file(letters: Omit<DeadLetterRecord, "receivedAt">[]): Promise<void> {
    const receivedAt = new Date().toISOString();
    const sql = this.ctx.storage.sql;
    this.ctx.storage.transactionSync(() => {
      for (const l of letters) {
        if (sql.exec("SELECT 1 FROM dead_letters WHERE message_id = ?", l.messageId).toArray().length > 0)
          continue;
        const repeated = l.eventId
          ? sql
              .exec<{ n: number }>(
                "SELECT COUNT(*) AS n FROM dead_letters WHERE event_id = ? AND queue = ? AND state = 'redriven'",
                l.eventId,
                l.queue,
              )
              .one().n
          : 0;
        sql.exec(
          `INSERT INTO dead_letters (message_id, dead_letter_queue, queue, reason, attempts, event_type, event_id,
            dead_lettered_at, received_at, body, repeated_failures) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
          repeated,
        );
        if (repeated > 0)
          logEvent({
            at: "dead-letter-office",
            outcome: "repeated-failure",
            deadLetterQueue: l.deadLetterQueue,
            queue: l.queue,
            id: l.eventId,
            times: repeated,
          });
      }
    });
    await this.arm();
  }

  /** The newest letters first, optionally only those in one state. */
  list(limit: number, state?: LetterState): FiledLetter[] {
    const rows = state
      ? this.ctx.storage.sql.exec<Row>(
          "SELECT * FROM dead_letters WHERE state = ? ORDER BY received_at DESC LIMIT ?",
          state,
          limit,
        )
      : this.ctx.storage.sql.exec<Row>("SELECT * FROM dead_letters ORDER BY received_at DESC LIMIT ?", limit);
    return rows.toArray().map(toLetter);
  }

  /** The waiting letters grouped by reason, the largest group first. */
  groups(): ReasonGroup[] {
    return this.ctx.storage.sql
      .exec<{ reason: string; count: number; oldest: string; newest: string; repeated: number }>(
        `SELECT reason, COUNT(*) AS count, MIN(received_at) AS oldest, MAX(received_at) AS newest,
          SUM(repeated_failures > 0) AS repeated
        FROM dead_letters WHERE state = 'waiting' GROUP BY reason ORDER BY count DESC, oldest`,
      )
      .toArray()
      .map((g) => ({
        reason: g.reason,
        count: g.count,
        oldestReceivedAt: g.oldest,
        newestReceivedAt: g.newest,
        repeatedFailures: g.repeated,
      }));
  }

  /**
   * Schedules waiting letters (by id, or every one that failed for `reason`) to be sent back to the
   * queue each failed in; the alarm sends them, at most REDRIVE_PER_TICK a tick. By ids: every one must
   * be known, waiting and redrivable. By reason: the redrivable waiting letters of that group.
   */
  async redrive(request: RedriveRequest): Promise<ActionResult> {
    const sql = this.ctx.storage.sql;
    const result = this.ctx.storage.transactionSync((): ActionResult => {
      let rows: Row[];
      if ("messageIds" in request) {
        const found = this.rowsOf(request.messageIds);
        const unknown = request.messageIds.filter((id) => !found.has(id));
        if (unknown.length > 0) return { outcome: "unknown", messageIds: unknown };
        rows = [...found.values()];
        const refused = rows.flatMap((r) => {
          const why =
            r.state === "waiting" ? notRedrivable(r, request.targets) : `it is ${r.state}, not waiting`;
          return why ? [{ messageId: r.message_id, why }] : [];
        });
        if (refused.length > 0) return { outcome: "conflict", letters: refused };
      } else {
        rows = sql
          .exec<Row>("SELECT * FROM dead_letters WHERE state = 'waiting' AND reason = ?", request.reason)
          .toArray();
        if (rows.length === 0) return { outcome: "unknown", messageIds: [] };
      }
      const now = new Date().toISOString();
      const scheduled: string[] = [];
      const skipped: { messageId: string; why: string }[] = [];
      for (const r of rows) {
        const why = notRedrivable(r, request.targets);
        if (why) {
          skipped.push({ messageId: r.message_id, why });
          continue;
        }
        sql.exec(
          `UPDATE dead_letters SET state = 'redrive-scheduled', state_at = ?, redrive_error = NULL,
            redrive_binding = ? WHERE message_id = ?`,
          now,
          request.targets[r.queue]!,
          r.message_id,
        );
        scheduled.push(r.message_id);
      }
      this.record(request.deadLetterQueue, request.operator, "redrive", scheduled, now, {
        reason: "reason" in request ? request.reason : null,
      });
      return skipped.length > 0
        ? { outcome: "done", messageIds: scheduled, notRedrivable: skipped }
        : { outcome: "done", messageIds: scheduled };
    });
    if (result.outcome === "done") {
      logEvent({
        at: "dead-letter-office",
        outcome: "redrive-scheduled",
        deadLetterQueue: request.deadLetterQueue,
        operator: request.operator,
        count: result.messageIds.length,
      });
      await this.arm();
    }
    return result;
  }

  /** Discards waiting letters with a reason: kept until retention, no longer waiting. */
  discard(request: {
    deadLetterQueue: string;
    operator: string;
    messageIds: string[];
    reason: string;
  }): ActionResult {
    const sql = this.ctx.storage.sql;
    const result = this.ctx.storage.transactionSync((): ActionResult => {
      const found = this.rowsOf(request.messageIds);
      const unknown = request.messageIds.filter((id) => !found.has(id));
      if (unknown.length > 0) return { outcome: "unknown", messageIds: unknown };
      const refused = [...found.values()]
        .filter((r) => r.state !== "waiting")
        .map((r) => ({ messageId: r.message_id, why: `it is ${r.state}, not waiting` }));
      if (refused.length > 0) return { outcome: "conflict", letters: refused };
      const now = new Date().toISOString();
      for (const id of found.keys())
        sql.exec(
          "UPDATE dead_letters SET state = 'discarded', state_at = ?, discard_reason = ? WHERE message_id = ?",
          now,
          request.reason,
          id,
        );
      const ids = [...found.keys()];
      this.record(request.deadLetterQueue, request.operator, "discard", ids, now, { reason: request.reason });
      return { outcome: "done", messageIds: ids };
    });
    if (result.outcome === "done")
      logEvent({
        at: "dead-letter-office",
        outcome: "discarded",
        deadLetterQueue: request.deadLetterQueue,
        operator: request.operator,
        count: result.messageIds.length,
        reason: request.reason,
      });
    return result;
  }

  /** Who did what, newest first. */
  audit(limit = 500): AuditEntry[] {
    return this.ctx.storage.sql
      .exec<{
        dead_letter_queue: string;
        at: string;
        operator: string;
        action: AuditEntry["action"];
        message_ids: string;
        reason: string | null;
      }>("SELECT * FROM audit ORDER BY seq DESC LIMIT ?", limit)
      .toArray()
      .map((a) => ({
        deadLetterQueue: a.dead_letter_queue,
        at: a.at,
        operator: a.operator,
        action: a.action,
        messageIds: JSON.parse(a.message_ids) as string[],
        reason: a.reason,
      }));
  }

  /**
   * Retention (deletes the letters filed longer ago than the retention period, and audit entries older
   * than AUDIT_RETENTION_DAYS), then one redrive tick; then wakes for the next tick or expiry.
   */
  override async alarm(): Promise<void> {
    const cutoff = new Date(Date.now() - this.retentionMs).toISOString();
    const expired = this.ctx.storage.sql
      .exec("DELETE FROM dead_letters WHERE received_at <= ? RETURNING message_id", cutoff)
      .toArray().length;
    this.ctx.storage.sql.exec(
      "DELETE FROM audit WHERE at <= ?",
      new Date(Date.now() - AUDIT_RETENTION_DAYS * DAY_MS).toISOString(),
    );
    logEvent({
      at: "dead-letter-office",
      outcome: "expired",
      count: expired,
      retentionDays: this.retentionMs / DAY_MS,
    });
    await this.redriveTick();
    // This alarm has fired: the next one is the next tick, or the oldest remaining letter's expiry.
    const next = this.nextWake();
    if (next !== undefined) await this.ctx.storage.setAlarm(next);
  }

  /**
   * Sends up to REDRIVE_PER_TICK scheduled letters, oldest scheduled first, each to the queue it failed
   * in, exactly as it was (same event id, source, everything). A batch the queue refuses puts its
   * letters back to waiting with the error, for an operator to try again (no endless retry loop).
   */
  private async redriveTick(): Promise<void> {
    const due = this.ctx.storage.sql
      .exec<Row>(
        "SELECT * FROM dead_letters WHERE state = 'redrive-scheduled' ORDER BY state_at, message_id LIMIT ?",
        REDRIVE_PER_TICK,
      )
      .toArray();
    const byQueue = new Map<string, Row[]>();
    for (const r of due) byQueue.set(r.queue, [...(byQueue.get(r.queue) ?? []), r]);
    // (Every letter of one queue was scheduled with that queue's binding.)
    for (const [queue, rows] of byQueue) {
      for (const batch of inSendBatches(rows, (r) => textBytes(r.body))) {
        const now = new Date().toISOString();
        const ids = batch.map((r) => r.message_id);
        try {
          const binding = batch[0]!.redrive_binding ?? "";
          const target = this.queues[binding] as Queue | undefined;
          if (!target) throw new Error(`no producer binding "${binding}" for ${queue}`);
          await target.sendBatch(
            batch.map((r) => ({ body: JSON.parse(r.body) as unknown, contentType: "json" as const })),
          );
          this.setState(ids, "redriven", now, null);
          logEvent({ at: "dead-letter-office", outcome: "redriven", queue, count: ids.length });
        } catch (error) {
          this.setState(ids, "waiting", now, String(error));
          logEvent({ at: "dead-letter-office", outcome: "redrive-failed", queue, reason: String(error) });
        }
      }
    }
  }

  private setState(ids: string[], state: LetterState, at: string, redriveError: string | null) {
    for (const id of ids)
      this.ctx.storage.sql.exec(
        "UPDATE dead_letters SET state = ?, state_at = ?, redrive_error = ? WHERE message_id = ?",
        state,
        at,
        redriveError,
        id,
      );
  }

  private rowsOf(ids: string[]): Map<string, Row> {
    const rows = new Map<string, Row>();
    for (const id of new Set(ids)) {
      const row = this.ctx.storage.sql
        .exec<Row>("SELECT * FROM dead_letters WHERE message_id = ?", id)
        .toArray()[0];
      if (row) rows.set(id, row);
    }
    return rows;
  }

  private record(
    deadLetterQueue: string,
    operator: string,
    action: AuditEntry["action"],
    messageIds: string[],
    at: string,
    { reason }: { reason: string | null },
  ) {
    this.ctx.storage.sql.exec(
      "INSERT INTO audit (dead_letter_queue, at, operator, action, message_ids, reason) VALUES (?, ?, ?, ?, ?, ?)",
      deadLetterQueue,
      at,
      operator,
      action,
      JSON.stringify(messageIds),
      reason,
    );
  }

  /** Sets the alarm to the next redrive tick or the oldest letter's expiry, unless already due sooner. */
  private async arm(): Promise<void> {
    const next = this.nextWake();
    if (next === undefined) return;
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > next) await this.ctx.storage.setAlarm(next);
  }

  /** A second from now while letters wait to be redriven; else the oldest letter's expiry, if any. */
  private nextWake(): number | undefined {
    const pending = this.ctx.storage.sql
      .exec("SELECT 1 FROM dead_letters WHERE state = 'redrive-scheduled' LIMIT 1")
      .toArray().length;
    const { oldest } = this.ctx.storage.sql
      .exec<{ oldest: string | null }>("SELECT MIN(received_at) AS oldest FROM dead_letters")
      .one();
    const expiry = oldest === null ? undefined : Date.parse(oldest) + this.retentionMs;
    if (pending === 0) return expiry;
    const tick = Date.now() + REDRIVE_TICK_MS;
    return expiry === undefined ? tick : Math.min(tick, expiry);
  }
}

/** Why a waiting letter cannot go back as it was, if it cannot. */
function notRedrivable(r: Row, targets: Readonly<Record<string, string>>): string | undefined {
  if (!Object.hasOwn(targets, r.queue)) return `it failed in ${r.queue}, which no redrive can reach`;
  if (textBytes(r.body) > MAX_REDRIVE_BODY_BYTES) return "its body is larger than a queue message may be";
  return undefined;
}

function toLetter(r: Row): FiledLetter {
  return {
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
    state: r.state,
    ...(r.state_at ? { stateChangedAt: r.state_at } : {}),
    ...(r.discard_reason ? { discardReason: r.discard_reason } : {}),
    ...(r.redrive_error ? { redriveError: r.redrive_error } : {}),
    repeatedFailure: r.repeated_failures > 0,
    repeatedFailures: r.repeated_failures,
  };
}
