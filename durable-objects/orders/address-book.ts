import type { HandlerOutcome, QueueDelivery } from "../../shared/consumer/harness";
import type { PizzaEvent } from "../../shared/events/envelope";
import { InboxObject } from "../../shared/durable/inbox-object";
import { hasTable } from "../../shared/durable/tables";

/**
 * How long a waiting order stays on the list after its address deadline. The Order decides at its own
 * deadline (its alarm); the entry only has to outlive that, so an address arriving just in time still
 * reaches an order whose alarm has not fired yet. Then the entry is dropped, so the list stays small.
 */
const KEEP_AFTER_DEADLINE_MS = 60_000;

/** What the book answers an order placed for delivery. */
export type AddressAnswer = "known" | "awaited";

/**
 * The orders context's own record of which delivery address ids belong to a customer (one object per
 * customer), built from the customers context's address events: orders accepts a delivery only to
 * the customer's own address without ever calling the customers context. Only ids are kept: the
 * address itself is delivery's business.
 *
 * The record is eventually consistent: an address added a moment ago may not be here yet. So an order
 * for an address the book does not know waits for it (the Order asks for no money meanwhile): the book
 * keeps a short list of the orders waiting for each address, and when the address arrives it tells
 * each of them (Order.addressKnown), keeping an order on the list until the Order has answered. An
 * address that never arrives (not the customer's: another customer's address never reaches this book)
 * leaves the order to its address deadline, which cancels it.
 */
export class AddressBook extends InboxObject<Env> {
  /**
   * The customer places a delivery order: is its address known? If not, the order waits for it until
   * `until` (epoch milliseconds). One call, serialised with the address events in this object, so the
   * address cannot arrive between the question and the registration and leave the order waiting.
   */
  async admit(addressId: string, orderId: string, until: number): Promise<AddressAnswer> {
    if (this.owns(addressId)) return "known";
    this.ctx.storage.transactionSync(() => {
      // Created with the first waiting order, in its transaction (an object only read stores nothing).
      this.sql.exec(`CREATE TABLE IF NOT EXISTS waiting_orders (
        address_id TEXT NOT NULL, order_id TEXT NOT NULL, until INTEGER NOT NULL,
        PRIMARY KEY (address_id, order_id)) WITHOUT ROWID`);
      // A repeat (same Idempotency-Key) keeps the first deadline, which the Order has too.
      this.sql.exec("INSERT OR IGNORE INTO waiting_orders VALUES (?, ?, ?)", addressId, orderId, until);
    });
    await this.pruneAt(until + KEEP_AFTER_DEADLINE_MS);
    return "awaited";
  }

  /**
   * Learns the address (once), then tells the orders waiting for it, also on a redelivery: the event
   * handler fails while any of them is still untold ("orders-untold"), so the harness delivers the
   * event again, and the orders still on the list are told again (an Order's answer is idempotent).
   */
  async addressAdded(
    event: PizzaEvent<"com.plantbasedpizza.customer.address-added.v1">,
    delivery?: QueueDelivery,
  ): Promise<HandlerOutcome | "orders-untold"> {
    const outcome = this.inbox.once(event, delivery, () => {
      // Created with the first address, in its transaction, never when the object starts: an order to
      // an address of a customer who has none (any caller can try one) stores no address table.
      this.sql.exec(
        "CREATE TABLE IF NOT EXISTS addresses (address_id TEXT PRIMARY KEY, added_at TEXT NOT NULL)",
      );
      this.sql.exec(
        "INSERT OR IGNORE INTO addresses VALUES (?, ?)",
        event.data.addressId,
        event.data.addedAt,
      );
    });
    const untold = await this.tellWaitingOrders(event.data.addressId, event.id);
    return untold > 0 ? "orders-untold" : outcome;
  }

  owns(addressId: string): boolean {
    if (!hasTable(this.sql, "addresses")) return false;
    return this.sql.exec("SELECT 1 FROM addresses WHERE address_id = ?", addressId).toArray().length > 0;
  }

  /** The orders waiting for an address (for tests and operators). */
  waitingFor(addressId: string): string[] {
    if (!hasTable(this.sql, "waiting_orders")) return [];
    return this.sql
      .exec<{ order_id: string }>("SELECT order_id FROM waiting_orders WHERE address_id = ?", addressId)
      .toArray()
      .map((r) => r.order_id);
  }

  /**
   * Tells each order waiting for `addressId` that it is known, and takes it off the list once its Order
   * answered. Kept: an Order that failed to answer, or that is not placed yet (the API registers the
   * order here just before it places it) while its deadline is still ahead. Returns how many are kept.
   */
  private async tellWaitingOrders(addressId: string, causationid: string): Promise<number> {
    if (!hasTable(this.sql, "waiting_orders")) return 0;
    const waiting = this.sql
      .exec<{ order_id: string; until: number }>(
        "SELECT order_id, until FROM waiting_orders WHERE address_id = ?",
        addressId,
      )
      .toArray();
    const told = await Promise.all(
      waiting.map(async ({ order_id: orderId, until }) => {
        try {
          const answer = await this.env.ORDERS.getByName(orderId).addressKnown(addressId, causationid);
          return answer !== "unknown-order" || Date.now() >= until ? orderId : undefined;
        } catch {
          return undefined; // the Order failed to answer: it stays on the list, told again on retry
        }
      }),
    );
    for (const orderId of told) {
      if (orderId !== undefined)
        this.sql.exec("DELETE FROM waiting_orders WHERE address_id = ? AND order_id = ?", addressId, orderId);
    }
    return told.filter((t) => t === undefined).length;
  }

  /** Arms the alarm to drop expired waiting orders at `at`, unless it is due earlier already. */
  private async pruneAt(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  /**
   * Drops the orders whose wait is over (their Order cancelled itself at its deadline). A book left with
   * no address and no waiting order (a customer who only ever named an unknown address) is emptied, so
   * it stores nothing.
   */
  override async alarm(): Promise<void> {
    if (!hasTable(this.sql, "waiting_orders")) return;
    const now = Date.now();
    this.sql.exec("DELETE FROM waiting_orders WHERE until + ? <= ?", KEEP_AFTER_DEADLINE_MS, now);
    const next = this.sql
      .exec<{ until: number | null }>("SELECT MIN(until) AS until FROM waiting_orders")
      .one().until;
    if (next !== null) return this.pruneAt(next + KEEP_AFTER_DEADLINE_MS);
    if (!hasTable(this.sql, "addresses")) {
      await this.ctx.storage.deleteAlarm();
      await this.ctx.storage.deleteAll();
    }
  }
}
