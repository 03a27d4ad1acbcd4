import { DurableObject } from "cloudflare:workers";
import { isWebSocketUpgrade } from "../http/live";
import {
  acceptLiveSocket,
  answerPingsWhileHibernating,
  broadcast,
  closeLiveSocket,
  watched,
} from "./live-sockets";
import { hasTable } from "./tables";

/**
 * A staff board: the work in hand at one location (the kitchen's open tickets, the drivers' deliveries,
 * the orders waiting at the counter), as a small read model kept beside the per-order objects that own
 * the truth, and pushed live to the staff screens over WebSockets.
 *
 * Each per-order object's current state reaches the board as a `BoardChange` with a version: the
 * order's step on its lifecycle, which only moves forward. The board keeps the highest version it was
 * told, so an update that arrives late or twice never moves an order back (last writer by version
 * wins; an equal version is the same step told again and may refresh its row). An order whose work is
 * done leaves the list but its version is kept a day as a marker (`open = 0`), so a late update from an
 * earlier step cannot put it back; markers older than that are pruned as the board is written.
 *
 * Live: `fetch` accepts a WebSocket upgrade with the Hibernation API (`ctx.acceptWebSocket`), sends
 * `{ type: "board", board }` at once and again after every change anyone can see. Idle screens cost
 * nothing: the object is evicted between changes, and pings are answered by the runtime without waking it.
 */
export interface BoardChange<Row extends { orderId: string }> {
  /** The order's step on its lifecycle: the board ignores a change with a lower version than it holds. */
  version: number;
  /** Whether the order is still work in hand here; false once done (it leaves the board). */
  open: boolean;
  /** Where it sorts: when the work arrived (oldest first). */
  since: string;
  /** What the board shows of it (updatedAt is the board's: when it saw this step). */
  row: Row;
}

export type BoardOutcome = "moved" | "unchanged" | "stale";

/** The live protocol's messages, as the staff screens read them. */
export type BoardMessage<Board> = { type: "board"; board: Board };

/** How long the marker of an order that left the board stops late updates from bringing it back. */
const MARKER_KEPT_MS = 24 * 60 * 60 * 1000;

type Stored = { order_id: string; version: number; open: number; row: string; updated_at: string };

export abstract class LiveBoard<Row extends { orderId: string }, Board> extends DurableObject<unknown> {
  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    // Screens keep their socket alive with "ping": answered by the runtime, the object stays asleep.
    answerPingsWhileHibernating(ctx);
  }

  /** The board's body as its GET answers it, from the open rows, oldest first. */
  protected abstract shape(rows: (Row & { updatedAt: string })[]): Board;

  private get sql(): SqlStorage {
    return this.ctx.storage.sql;
  }

  /**
   * Created with the board's first change, in its transaction: reading a board nobody wrote to stores
   * nothing. The partial indexes keep reads to the open rows and pruning to the expired markers.
   */
  private createTable(): void {
    this.sql.exec(`CREATE TABLE IF NOT EXISTS board (
      order_id TEXT PRIMARY KEY, version INTEGER NOT NULL, open INTEGER NOT NULL, since TEXT NOT NULL,
      row TEXT NOT NULL, updated_at TEXT NOT NULL) WITHOUT ROWID`);
    this.sql.exec("CREATE INDEX IF NOT EXISTS board_open ON board (since, order_id) WHERE open = 1");
    this.sql.exec("CREATE INDEX IF NOT EXISTS board_markers ON board (updated_at) WHERE open = 0");
  }

  /** An order's current state, from the per-order object that owns it. Idempotent; never moves back. */
  update(change: BoardChange<Row>): BoardOutcome {
    const outcome = this.ctx.storage.transactionSync((): BoardOutcome => {
      const existing = hasTable(this.sql, "board")
        ? this.sql.exec<Stored>("SELECT * FROM board WHERE order_id = ?", change.row.orderId).toArray()[0]
        : undefined;
      if (existing && change.version < existing.version) return "stale";
      const open = change.open ? 1 : 0;
      // An order that left the board keeps only its marker.
      const row = change.open ? JSON.stringify(change.row) : "{}";
      if (existing && change.version === existing.version && existing.row === row && existing.open === open)
        return "unchanged";
      const now = new Date();
      const updatedAt =
        existing && change.version === existing.version ? existing.updated_at : now.toISOString();
      this.createTable();
      this.sql.exec(
        `INSERT INTO board (order_id, version, open, since, row, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (order_id) DO UPDATE SET version = excluded.version, open = excluded.open,
           since = excluded.since, row = excluded.row, updated_at = excluded.updated_at`,
        change.row.orderId,
        change.version,
        open,
        change.since,
        row,
        updatedAt,
      );
      this.sql.exec(
        "DELETE FROM board WHERE open = 0 AND updated_at < ?",
        new Date(now.getTime() - MARKER_KEPT_MS).toISOString(),
      );
      // Only a row that was or is on the list changes what the screens show.
      return existing?.open || change.open ? "moved" : "unchanged";
    });
    if (outcome === "moved") this.broadcast();
    return outcome;
  }

  /** The open work, oldest first. */
  board(): Board {
    if (!hasTable(this.sql, "board")) return this.shape([]);
    return this.shape(
      this.sql
        .exec<Pick<Stored, "row" | "updated_at">>(
          "SELECT row, updated_at FROM board WHERE open = 1 ORDER BY since, order_id",
        )
        .toArray()
        .map((r) => ({ ...(JSON.parse(r.row) as Row), updatedAt: r.updated_at })),
    );
  }

  private message(): BoardMessage<Board> {
    return { type: "board", board: this.board() };
  }

  private broadcast(): void {
    if (watched(this.ctx)) broadcast(this.ctx, this.message());
  }

  /**
   * The live board: a WebSocket upgrade (the worker checked the role and forwards the protocol it
   * selects). Anything else is 426.
   */
  override async fetch(request: Request): Promise<Response> {
    if (!isWebSocketUpgrade(request))
      return new Response(null, { status: 426, headers: { Upgrade: "websocket" } });
    return acceptLiveSocket(this.ctx, request, [], this.message());
  }

  /** The board only talks; what a screen says (other than the auto-answered ping) is ignored. */
  override webSocketMessage(): void {}

  override webSocketClose(ws: WebSocket, code: number, reason: string): void {
    closeLiveSocket(ws, code, reason);
  }

  override webSocketError(ws: WebSocket): void {
    closeLiveSocket(ws, 1011, "error");
  }
}
