import { DurableObject } from "cloudflare:workers";
import { deprecatedReadsNames } from "../../shared/consumer/deprecated-reads-shards";
import { hasTable } from "../../shared/durable/tables";

/**
 * Who still reads deprecated event versions, and how much: a subscriber's counts are spread over a few
 * objects (`deprecatedReadsNames`: no object takes every batch of every consumer, nor of one busy
 * consumer), one row per deprecated type each has counted. The consumer harness
 * (shared/consumer/harness.ts) adds to one of them once per batch; `readsOf` sums them, for operators'
 * GET /ops/deprecations before a version's sunset. Its table comes with its first count: reading the
 * shards that never counted stores nothing.
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
  }

  /** Adds one batch's counts (`{ [type]: n }`), handled at `at` (RFC 3339), to the subscriber's totals. */
  count(subscriber: string, reads: Record<string, number>, at: string): void {
    this.ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS deprecated_reads (
      type TEXT PRIMARY KEY, subscriber TEXT NOT NULL, events INTEGER NOT NULL,
      first_at TEXT NOT NULL, last_at TEXT NOT NULL) WITHOUT ROWID`);
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
    if (!hasTable(this.ctx.storage.sql, "deprecated_reads")) return [];
    return this.ctx.storage.sql
      .exec<Row>("SELECT * FROM deprecated_reads ORDER BY type")
      .toArray()
      .map((r) => ({ type: r.type, events: r.events, firstAt: r.first_at, lastAt: r.last_at }));
  }
}

/** A subscriber's counts, summed over every object that holds a share of them, by type. */
export async function readsOf(
  counters: DurableObjectNamespace<DeprecatedReads>,
  subscriber: string,
): Promise<DeprecatedRead[]> {
  const shares = await Promise.all(
    deprecatedReadsNames(subscriber).map((n) => counters.getByName(n).reads()),
  );
  const byType = new Map<string, DeprecatedRead>();
  for (const read of shares.flat()) {
    const sum = byType.get(read.type);
    byType.set(
      read.type,
      sum
        ? {
            type: read.type,
            events: sum.events + read.events,
            firstAt: read.firstAt < sum.firstAt ? read.firstAt : sum.firstAt,
            lastAt: read.lastAt > sum.lastAt ? read.lastAt : sum.lastAt,
          }
        : { ...read },
    );
  }
  return [...byType.values()].sort((a, b) => a.type.localeCompare(b.type));
}
