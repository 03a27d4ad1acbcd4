import type { HandlerOutcome, QueueDelivery } from "../../shared/consumer/harness";
import { minorUnitDigits, type Money } from "../../shared/events/catalog/money";
import { createEvent, type PizzaEvent } from "../../shared/events/envelope";
import {
  acceptLiveSocket,
  answerPingsWhileHibernating,
  broadcast,
  LIVE_FOR_HEADER,
  watched,
} from "../../shared/durable/live-sockets";
import { PublishingObject, type BusEnv } from "../../shared/durable/publishing-object";
import { isWebSocketUpgrade } from "../../shared/http/live";
import { hasTable } from "../../shared/durable/tables";

/**
 * One customer's loyalty account: the points balance and the orders already rewarded. A completed
 * order earns one point per whole unit of its currency (2350 pence: 23 points; 2350 yen: 2350).
 * Each order is rewarded once: the inbox drops a redelivered event, and the rewarded orders drop a
 * second event about the same order (say, one an operator re-put on the bus with a new id).
 */
export interface LoyaltyAward {
  orderId: string;
  points: number;
  awardedAt: string;
}

export interface LoyaltyBalance {
  points: number;
  awards: LoyaltyAward[];
}

/** A customer's account as GET /loyalty/me answers it, and as its live view pushes it. */
export interface LoyaltyAccountView extends LoyaltyBalance {
  customerId: string;
}

export function pointsFor(total: Money): number {
  return Math.floor(total.amount / 10 ** minorUnitDigits(total.currency));
}

type AwardRow = { order_id: string; points: number; awarded_at: string };

export class LoyaltyAccount extends PublishingObject<BusEnv> {
  constructor(ctx: DurableObjectState, env: BusEnv) {
    super(ctx, env);
    answerPingsWhileHibernating(ctx);
  }

  /**
   * Created with the first award (in the transaction that records it), never when the object starts:
   * a customer asking for their points before earning any (GET /loyalty/me) stores nothing.
   */
  private createTable(): void {
    this.sql.exec(`CREATE TABLE IF NOT EXISTS awards (
      seq INTEGER PRIMARY KEY, order_id TEXT NOT NULL UNIQUE, points INTEGER NOT NULL,
      awarded_at TEXT NOT NULL, event_id TEXT NOT NULL)`);
  }

  private created(): boolean {
    return hasTable(this.sql, "awards");
  }

  private balance(): number {
    if (!this.created()) return 0;
    return this.sql.exec<{ points: number }>("SELECT COALESCE(SUM(points), 0) AS points FROM awards").one()
      .points;
  }

  private rewarded(orderId: string): boolean {
    if (!this.created()) return false;
    return this.sql.exec("SELECT 1 FROM awards WHERE order_id = ?", orderId).toArray().length > 0;
  }

  /** Order completed: award its points, once per order, and announce the new balance. */
  awardPoints(
    event: PizzaEvent<"com.plantbasedpizza.order.completed.v1">,
    delivery?: QueueDelivery,
  ): HandlerOutcome {
    const { orderId, customerId, total } = event.data;
    if (this.inbox.has(event)) return "duplicate";
    if (this.rewarded(orderId)) {
      this.inbox.once(event, delivery, () => {});
      return "duplicate";
    }
    const points = pointsFor(total);
    const awardedAt = new Date().toISOString();
    this.record(
      () => {
        this.inbox.remember(event, delivery);
        this.createTable();
        this.sql.exec(
          "INSERT INTO awards (order_id, points, awarded_at, event_id) VALUES (?, ?, ?, ?)",
          orderId,
          points,
          awardedAt,
          event.id,
        );
      },
      () => [
        createEvent(
          "com.plantbasedpizza.loyalty.points-awarded.v1",
          { customerId, orderId, points, balance: this.balance(), awardedAt },
          {
            traceparent: event.traceparent,
            causationid: event.id,
            subject: customerId,
          },
        ),
      ],
    );
    this.pushAccount(customerId);
    return "processed";
  }

  /** The balance and the awards that make it up, oldest first. */
  account(): LoyaltyBalance {
    if (!this.created()) return { points: 0, awards: [] };
    const awards = this.sql
      .exec<AwardRow>("SELECT order_id, points, awarded_at FROM awards ORDER BY seq")
      .toArray()
      .map((r) => ({ orderId: r.order_id, points: r.points, awardedAt: r.awarded_at }));
    return { points: this.balance(), awards };
  }

  /** The account as its customer sees it (GET /loyalty/me). */
  accountOf(customerId: string): LoyaltyAccountView {
    return { customerId, ...this.account() };
  }

  // ---- Live points (GET /loyalty/me/live) -------------------------------------------------------

  /**
   * The account's live view: the loyalty worker forwards the upgrade with the customer's id
   * (LIVE_FOR_HEADER; only it reaches this object, one per customer). The socket is accepted with the
   * Hibernation API and gets the account at once, then again whenever points are awarded. An account
   * with no points yet stores nothing.
   */
  override async fetch(request: Request): Promise<Response> {
    const customerId = request.headers.get(LIVE_FOR_HEADER);
    if (!customerId) return new Response(null, { status: 404 });
    if (!isWebSocketUpgrade(request)) return new Response(null, { status: 426 });
    return acceptLiveSocket(this.ctx, request, [customerId], {
      type: "loyalty",
      account: this.accountOf(customerId),
    });
  }

  /** After points were recorded (outside the transaction): the new account to every live socket. */
  private pushAccount(customerId: string): void {
    if (!watched(this.ctx, customerId)) return;
    broadcast(this.ctx, { type: "loyalty", account: this.accountOf(customerId) }, customerId);
  }
}
