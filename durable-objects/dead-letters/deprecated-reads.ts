import { DurableObject } from "cloudflare:workers";

/**
 * Who still reads deprecated event versions, and how much: one object per subscriber (named by the
 * subscriber, so no single object takes every consumer's batches), one row per deprecated type it has
 * handled. The consumer harness (shared/consumer/harness.ts) adds to it once per batch; operators read
 * every subscriber's counts through GET /ops/deprecations before a version's sunset.
 */
export interface DeprecatedRead {
  type: string;
  /** Events of this type the subscriber handled (processed or duplicate; dead-lettered ones are not). */
  events: number;
  /** RFC 3339: the first and the latest batch that handled one. */
  firstAt: string;
  lastAt: string;
}

type Row = { type: string; subscriber: string; events: number; first_at: string; last_at: string };

export class DeprecatedReads extends DurableObject {
  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env as never);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS deprecated_reads (
      type TEXT PRIMARY KEY, subscriber TEXT NOT NULL, events INTEGER NOT NULL,
      first_at TEXT NOT NULL, last_at TEXT NOT NULL)`);
  }

  /** Adds one batch's counts (`{ [type]: n }`), handled at `at` (RFC 3339), to the subscriber's totals. */
  count(subscriber: string, reads: Record<string, number>, at: string): void {
    for (const [type, events] of Object.entries(reads)) {
      if (!Number.isInteger(events) || events <= 0) continue;
      this.ctx.storage.sql.exec(
        `INSERT INTO deprecated_reads VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (type) DO UPDATE SET subscriber = excluded.subscriber, events = events + excluded.events,
           first_at = min(first_at, excluded.first_at), last_at = max(last_at, excluded.last_at)`,
        type,
        subscriber,
        events,
        at,
        at,
      );
    }
  }

  /** Every deprecated type this subscriber has handled, by type. */
  reads(): DeprecatedRead[] {
    return this.ctx.storage.sql
      .exec<Row>("SELECT * FROM deprecated_reads ORDER BY type")
      .toArray()
      .map((r) => ({ type: r.type, events: r.events, firstAt: r.first_at, lastAt: r.last_at }));
  }
}
