import type { HandlerOutcome, QueueDelivery } from "../../shared/consumer/harness";
import type { PizzaEvent } from "../../shared/events/envelope";
import { InboxObject } from "../../shared/durable/inbox-object";
import { hasTable } from "../../shared/durable/tables";

/**
 * The orders context's own record of which delivery address ids belong to a customer (one object per
 * customer), built from the customers context's address events: orders accepts a delivery only to
 * the customer's own address without ever calling the customers context. Only ids are kept: the
 * address itself is delivery's business.
 */
export class AddressBook extends InboxObject {
  addressAdded(
    event: PizzaEvent<"com.plantbasedpizza.customer.address-added.v1">,
    delivery?: QueueDelivery,
  ): HandlerOutcome {
    return this.inbox.once(event, delivery, () => {
      // Created with the first address, in its transaction, never when the object starts: an order to
      // an address of a customer who has none (any caller can try one) stores nothing.
      this.sql.exec(
        "CREATE TABLE IF NOT EXISTS addresses (address_id TEXT PRIMARY KEY, added_at TEXT NOT NULL)",
      );
      this.sql.exec(
        "INSERT OR IGNORE INTO addresses VALUES (?, ?)",
        event.data.addressId,
        event.data.addedAt,
      );
    });
  }

  owns(addressId: string): boolean {
    if (!hasTable(this.sql, "addresses")) return false;
    return this.sql.exec("SELECT 1 FROM addresses WHERE address_id = ?", addressId).toArray().length > 0;
  }
}
