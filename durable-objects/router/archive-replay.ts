import { inSendBatches, textBytes } from "../../shared/bus/send";
import { DurableObject } from "cloudflare:workers";
import { logEvent } from "../../shared/log";
import { hourPrefix, hoursOf, linesOf } from "./event-archive";
import type { ReplayProgress, ReplayRequest, ReplayState } from "./replay-job";

export { REPLAY_STATES, type ReplayProgress, type ReplayRequest, type ReplayState } from "./replay-job";

/**
 * At most this many events a tick, a tick a second: 100 a second is about what one subscriber's consumer
 * takes in beside its live traffic (batches of 10 to 25, a few Durable Object round trips each), far
 * inside a queue's 5,000 messages a second; a backfill of 100,000 events takes under 20 minutes.
 */
export const SEND_PER_TICK = 100;
export const REPLAY_TICK_MS = 1000;
/** R2 calls (a list page or an object read) a tick: hours of few events are read this fast. */
export const R2_CALLS_PER_TICK = 25;
/** Ticks in a row that may fail (R2 or the queue refusing), 1 s doubling to 1 min apart, before the job fails. */
export const MAX_FAILED_TICKS = 10;
const MAX_RETRY_DELAY_MS = 60_000;
const LIST_PAGE = 1000;

export interface ArchiveReplayEnv {
  EVENT_ARCHIVE: R2Bucket;
}

type Row = {
  id: string;
  subscriber: string;
  queue: string;
  binding: string;
  from_time: string;
  to_time: string;
  types: string;
  requested_by: string;
  requested_at: string;
  state: ReplayState;
  hour_index: number;
  hours_total: number;
  list_cursor: string | null;
  hour_listed: number;
  objects_read: number;
  events_read: number;
  events_sent: number;
  duplicates_skipped: number;
  events_not_selected: number;
  failed_ticks: number;
  error: string | null;
  updated_at: string;
  finished_at: string | null;
};

/** A job that cannot go on however often it is retried (the router has no binding for the queue). */
class NotReplayable extends Error {}

/**
 * One replay of the event archive (one object per job, named by its id): the archived events of a time
 * range, of the types one subscriber reads (optionally fewer), sent unchanged to that subscriber's queue
 * only, for example to backfill a subscriber added after the events happened. Owned by the router,
 * which holds the archive and a producer binding per subscriber queue; started and read through the
 * operators' API (POST /ops/replays, GET /ops/replays/{id}), which checks the request against the
 * routing table (workers/router/replays.ts) and records the operator.
 *
 * The alarm does the work, a tick a second: it lists the archive hour by hour (event time, see
 * event-archive.ts), reads the listed objects, keeps the events whose `time` is in [from, to) and whose
 * type is one of the job's, and sends at most SEND_PER_TICK of them a tick. Where it is (the hour, the
 * listing cursor, the objects listed but not yet read, the events chosen but not yet sent) is in the
 * object's storage, so a job resumes where it was after a restart or a deploy.
 *
 * Safe to repeat, whole or in part: an event archived twice is sent once per run (the job remembers the
 * source+id of every event it chose), and the subscriber's inbox drops an event it has already applied,
 * so a second replay of the same range, or a tick that sent and died before recording it, changes
 * nothing. Each step (list a page, read an object, send a batch) records its effect in one transaction.
 */
export class ArchiveReplay extends DurableObject {
  private readonly bindings: Record<string, unknown>;

  constructor(ctx: DurableObjectState, env: ArchiveReplayEnv) {
    super(ctx, env as never);
    this.bindings = env as unknown as Record<string, unknown>;
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS replay (
      id TEXT PRIMARY KEY, subscriber TEXT NOT NULL, queue TEXT NOT NULL, binding TEXT NOT NULL,
      from_time TEXT NOT NULL, to_time TEXT NOT NULL, types TEXT NOT NULL, requested_by TEXT NOT NULL,
      requested_at TEXT NOT NULL, state TEXT NOT NULL, hour_index INTEGER NOT NULL, hours_total INTEGER NOT NULL,
      list_cursor TEXT, hour_listed INTEGER NOT NULL, objects_read INTEGER NOT NULL, events_read INTEGER NOT NULL,
      events_sent INTEGER NOT NULL, duplicates_skipped INTEGER NOT NULL, events_not_selected INTEGER NOT NULL,
      failed_ticks INTEGER NOT NULL, error TEXT, updated_at TEXT NOT NULL, finished_at TEXT);
    CREATE TABLE IF NOT EXISTS to_read (key TEXT PRIMARY KEY);
    CREATE TABLE IF NOT EXISTS to_send (seq INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS chosen (event TEXT PRIMARY KEY);`);
  }

  /** Starts the job; starting it again (same id) changes nothing and answers where it is. */
  async start(request: ReplayRequest): Promise<ReplayProgress> {
    const existing = this.row();
    if (existing) return toProgress(existing, this.waiting());
    const from = new Date(request.from);
    const to = new Date(request.to);
    if (!(from < to)) throw new Error("a replay's range must end after it starts");
    if (request.types.length === 0) throw new Error("a replay needs at least one event type");
    const now = new Date().toISOString();
    this.ctx.storage.sql.exec(
      `INSERT INTO replay (id, subscriber, queue, binding, from_time, to_time, types, requested_by, requested_at,
        state, hour_index, hours_total, list_cursor, hour_listed, objects_read, events_read, events_sent,
        duplicates_skipped, events_not_selected, failed_ticks, error, updated_at, finished_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'running', 0, ?, NULL, 0, 0, 0, 0, 0, 0, 0, NULL, ?, NULL)`,
      request.id,
      request.subscriber,
      request.queue,
      request.binding,
      from.toISOString(),
      to.toISOString(),
      JSON.stringify([...new Set(request.types)]),
      request.requestedBy,
      now,
      hoursOf(from, to).length,
      now,
    );
    await this.ctx.storage.setAlarm(Date.now());
    logEvent({
      at: "archive-replay",
      outcome: "requested",
      id: request.id,
      subscriber: request.subscriber,
      operator: request.requestedBy,
      from: from.toISOString(),
      to: to.toISOString(),
      types: request.types.join(","),
    });
    return toProgress(this.row()!, 0);
  }

  /** Where the job is; null when there is no such job. */
  progress(): ReplayProgress | null {
    const row = this.row();
    return row ? toProgress(row, this.waiting()) : null;
  }

  /** One tick; then the next one a second later, or after a failure a longer wait, while it runs. */
  override async alarm(): Promise<void> {
    const before = this.row();
    if (!before || before.state !== "running") return;
    try {
      await this.tick(before);
      const after = this.row()!;
      if (after.state !== "running") return;
      this.update("failed_ticks = 0, error = NULL");
      await this.ctx.storage.setAlarm(Date.now() + REPLAY_TICK_MS);
    } catch (error) {
      const failedTicks = this.row()!.failed_ticks + 1;
      if (error instanceof NotReplayable || failedTicks >= MAX_FAILED_TICKS) {
        this.finish("failed", String(error));
        return;
      }
      this.update("failed_ticks = ?, error = ?", failedTicks, String(error));
      logEvent({ at: "archive-replay", outcome: "tick-failed", id: before.id, reason: String(error) });
      const delay = Math.min(MAX_RETRY_DELAY_MS, REPLAY_TICK_MS * 2 ** (failedTicks - 1));
      await this.ctx.storage.setAlarm(Date.now() + delay);
    }
  }

  /**
   * Sends what is waiting, within the tick's budget; while nothing waits, reads the next listed object,
   * or lists the next page of the current hour, or moves on to the next hour, or finishes.
   */
  private async tick(job: Row): Promise<void> {
    const hours = hoursOf(new Date(job.from_time), new Date(job.to_time));
    let sent = 0;
    let r2Calls = 0;
    for (;;) {
      const waiting = this.ctx.storage.sql
        .exec<{ seq: number; body: string }>(
          "SELECT seq, body FROM to_send ORDER BY seq LIMIT ?",
          SEND_PER_TICK - sent,
        )
        .toArray();
      if (waiting.length > 0) {
        await this.send(job, waiting);
        sent += waiting.length;
        continue;
      }
      if (this.waiting() > 0 || r2Calls >= R2_CALLS_PER_TICK) return;
      const next = this.ctx.storage.sql
        .exec<{ key: string }>("SELECT key FROM to_read ORDER BY key LIMIT 1")
        .toArray()[0];
      const at = this.row()!;
      if (next) {
        r2Calls++;
        await this.read(job, next.key);
      } else if (at.hour_index >= hours.length) {
        this.finish("done", null);
        return;
      } else if (!at.hour_listed) {
        r2Calls++;
        await this.list(hours[at.hour_index]!, at.list_cursor);
      } else {
        this.update("hour_index = hour_index + 1, hour_listed = 0, list_cursor = NULL");
      }
    }
  }

  /** One page of the current hour's objects, kept to be read; the cursor, to list the next page. */
  private async list(hour: number, cursor: string | null): Promise<void> {
    const page = await this.archive().list({
      prefix: hourPrefix(hour),
      limit: LIST_PAGE,
      ...(cursor ? { cursor } : {}),
    });
    this.ctx.storage.transactionSync(() => {
      for (const object of page.objects)
        this.ctx.storage.sql.exec("INSERT INTO to_read (key) VALUES (?) ON CONFLICT DO NOTHING", object.key);
      if (page.truncated) this.update("list_cursor = ?", page.cursor);
      else this.update("hour_listed = 1, list_cursor = NULL");
    });
  }

  /** Reads one object and keeps the events the job sends, each once per run. */
  private async read(job: Row, key: string): Promise<void> {
    const object = await this.archive().get(key);
    // Gone since it was listed (the bucket's lifecycle rule deleted it): nothing left to send from it.
    const lines = object ? linesOf(await object.text()) : [];
    if (!object) logEvent({ at: "archive-replay", outcome: "object-gone", id: job.id, key });
    const types = new Set(JSON.parse(job.types) as string[]);
    const from = Date.parse(job.from_time);
    const to = Date.parse(job.to_time);
    const sql = this.ctx.storage.sql;
    this.ctx.storage.transactionSync(() => {
      let notSelected = 0;
      let duplicates = 0;
      for (const line of lines) {
        const event = parsed(line);
        const time = event ? Date.parse(event.time) : NaN;
        if (!event || !types.has(event.type) || !(time >= from && time < to)) {
          notSelected++;
          continue;
        }
        const first = sql
          .exec(
            "INSERT INTO chosen (event) VALUES (?) ON CONFLICT DO NOTHING RETURNING event",
            `${event.source} ${event.id}`,
          )
          .toArray().length;
        if (first === 0) {
          duplicates++;
          continue;
        }
        sql.exec("INSERT INTO to_send (body) VALUES (?)", line);
      }
      sql.exec("DELETE FROM to_read WHERE key = ?", key);
      this.update(
        `objects_read = objects_read + ?, events_read = events_read + ?,
          events_not_selected = events_not_selected + ?, duplicates_skipped = duplicates_skipped + ?`,
        object ? 1 : 0,
        lines.length,
        notSelected,
        duplicates,
      );
    });
  }

  /** Sends events, unchanged, to the subscriber's queue, then forgets them. */
  private async send(job: Row, rows: { seq: number; body: string }[]): Promise<void> {
    const queue = this.bindings[job.binding] as Queue | undefined;
    if (!queue) throw new NotReplayable(`the router has no producer binding ${job.binding} for ${job.queue}`);
    for (const batch of inSendBatches(rows, (r) => textBytes(r.body))) {
      await queue.sendBatch(batch.map((r) => ({ body: JSON.parse(r.body) as unknown, contentType: "json" })));
      this.ctx.storage.transactionSync(() => {
        for (const r of batch) this.ctx.storage.sql.exec("DELETE FROM to_send WHERE seq = ?", r.seq);
        this.update("events_sent = events_sent + ?", batch.length);
      });
    }
  }

  /** Done or failed: keeps the job's record (who, what, how far), drops the working tables. */
  private finish(state: "done" | "failed", error: string | null): void {
    const now = new Date().toISOString();
    this.ctx.storage.transactionSync(() => {
      this.update("state = ?, error = ?, finished_at = ?", state, error, now);
      this.ctx.storage.sql.exec("DELETE FROM to_read; DELETE FROM to_send; DELETE FROM chosen;");
    });
    const job = this.row()!;
    logEvent({
      at: "archive-replay",
      outcome: state,
      id: job.id,
      subscriber: job.subscriber,
      operator: job.requested_by,
      objectsRead: job.objects_read,
      eventsSent: job.events_sent,
      duplicatesSkipped: job.duplicates_skipped,
      reason: error ?? undefined,
    });
  }

  private archive(): R2Bucket {
    const bucket = this.bindings.EVENT_ARCHIVE as R2Bucket | undefined;
    if (!bucket) throw new NotReplayable("the router has no EVENT_ARCHIVE binding");
    return bucket;
  }

  private row(): Row | undefined {
    return this.ctx.storage.sql.exec<Row>("SELECT * FROM replay").toArray()[0];
  }

  private waiting(): number {
    return this.ctx.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM to_send").one().n;
  }

  private update(assignments: string, ...values: (string | number | null)[]): void {
    this.ctx.storage.sql.exec(
      `UPDATE replay SET ${assignments}, updated_at = ?`,
      ...values,
      new Date().toISOString(),
    );
  }
}

/** The envelope fields a replay chooses by, if the line is an event at all. */
function parsed(line: string): { id: string; source: string; type: string; time: string } | undefined {
  try {
    const e = JSON.parse(line) as Record<string, unknown>;
    return typeof e.id === "string" &&
      typeof e.source === "string" &&
      typeof e.type === "string" &&
      typeof e.time === "string"
      ? { id: e.id, source: e.source, type: e.type, time: e.time }
      : undefined;
  } catch {
    return undefined;
  }
}

function toProgress(r: Row, waiting: number): ReplayProgress {
  return {
    id: r.id,
    subscriber: r.subscriber,
    queue: r.queue,
    from: r.from_time,
    to: r.to_time,
    types: JSON.parse(r.types) as string[],
    requestedBy: r.requested_by,
    requestedAt: r.requested_at,
    state: r.state,
    hours: { read: Math.min(r.hour_index, r.hours_total), of: r.hours_total },
    objectsRead: r.objects_read,
    eventsRead: r.events_read,
    eventsSent: r.events_sent,
    duplicatesSkipped: r.duplicates_skipped,
    eventsNotSelected: r.events_not_selected,
    waiting,
    updatedAt: r.updated_at,
    finishedAt: r.finished_at,
    error: r.error,
  };
}
