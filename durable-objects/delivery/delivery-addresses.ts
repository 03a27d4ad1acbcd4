import type { HandlerOutcome, QueueDelivery } from "../../shared/consumer/harness";
import type { PizzaEvent } from "../../shared/events/envelope";
import { InboxObject } from "../../shared/durable/inbox-object";
import { hasTable } from "../../shared/durable/tables";

/**
 * Delivery's own copy of one customer's delivery addresses, built from the customers context's
 * address-added events (state transfer: each carries the whole address), so a delivery never asks
 * the customers context where to go. It publishes nothing, so it needs no outbox.
 */
export interface DeliveryAddress {
  addressId: string;
  line1: string;
  line2?: string;
  city: string;
  postcode: string;
  country: string;
}

type Row = {
  address_id: string;
  line1: string;
  line2: string | null;
  city: string;
  postcode: string;
  country: string;
  added_at: string;
};

export class DeliveryAddresses extends InboxObject {
  /**
   * Created with the first address (in the transaction that stores it), never when the object starts:
   * looking up an address before any arrived (its event still on the way) must store nothing.
   */
  private createTable(): void {
    this.sql.exec(`CREATE TABLE IF NOT EXISTS addresses (
      address_id TEXT PRIMARY KEY, line1 TEXT NOT NULL, line2 TEXT, city TEXT NOT NULL, postcode TEXT NOT NULL,
      country TEXT NOT NULL, added_at TEXT NOT NULL)`);
  }

  /** Address added: keep the whole address. Queues keep no order, so an older copy never overwrites a newer one. */
  addAddress(
    event: PizzaEvent<"com.plantbasedpizza.customer.address-added.v1">,
    delivery?: QueueDelivery,
  ): HandlerOutcome {
    const a = event.data;
    return this.inbox.once(event, delivery, () => {
      this.createTable();
      this.sql.exec(
        `INSERT INTO addresses (address_id, line1, line2, city, postcode, country, added_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (address_id) DO UPDATE SET line1 = excluded.line1, line2 = excluded.line2, city = excluded.city,
           postcode = excluded.postcode, country = excluded.country, added_at = excluded.added_at
         WHERE excluded.added_at >= addresses.added_at`,
        a.addressId,
        a.line1,
        a.line2 ?? null,
        a.city,
        a.postcode,
        a.country,
        a.addedAt,
      );
    });
  }

  /** The address as delivery knows it, or undefined if its event has not arrived (yet). */
  address(addressId: string): DeliveryAddress | undefined {
    if (!hasTable(this.sql, "addresses")) return undefined;
    const row = this.sql.exec<Row>("SELECT * FROM addresses WHERE address_id = ?", addressId).toArray()[0];
    if (!row) return undefined;
    const { address_id, line1, line2, city, postcode, country } = row;
    return { addressId: address_id, line1, ...(line2 !== null ? { line2 } : {}), city, postcode, country };
  }
}
