import { createEvent } from "../../shared/events/envelope";
import { PublishingObject, type BusEnv } from "../../shared/durable/publishing-object";
import { hasTable } from "../../shared/durable/tables";

/**
 * One customer, in the customers context's own storage: their delivery addresses. Adding one is
 * announced with `customer.address-added.v1`, carrying the whole address, so delivery and orders keep
 * their own copies and never call this context back.
 */
export interface Address {
  addressId: string;
  line1: string;
  line2?: string;
  city: string;
  postcode: string;
  country: string;
  addedAt: string;
}

export interface AddAddress extends Omit<Address, "addedAt"> {
  customerId: string;
  /** Id of the AddAddress command: the causation of the event. */
  commandId: string;
  /** The request's trace context, carried unchanged by the event. */
  traceparent: string;
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

const toAddress = (r: Row): Address => ({
  addressId: r.address_id,
  line1: r.line1,
  ...(r.line2 !== null ? { line2: r.line2 } : {}),
  city: r.city,
  postcode: r.postcode,
  country: r.country,
  addedAt: r.added_at,
});

export class Customer extends PublishingObject<BusEnv> {
  /**
   * Created with the first address (in the transaction that stores it), never when the object starts:
   * a customer who only lists their addresses, having added none, stores nothing.
   */
  private createTable(): void {
    // `seq` keeps the customer's addresses in the order they were added.
    this.sql.exec(`CREATE TABLE IF NOT EXISTS addresses (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, address_id TEXT NOT NULL UNIQUE, line1 TEXT NOT NULL, line2 TEXT,
      city TEXT NOT NULL, postcode TEXT NOT NULL, country TEXT NOT NULL, added_at TEXT NOT NULL)`);
  }

  private created(): boolean {
    return hasTable(this.sql, "addresses");
  }

  /** Stores the address and the event announcing it in one transaction (transactional outbox). */
  addAddress(command: AddAddress): Address {
    const { customerId, commandId, traceparent, ...fields } = command;
    const address: Address = { ...fields, addedAt: new Date().toISOString() };
    this.record(
      () => {
        this.createTable();
        this.sql.exec(
          "INSERT INTO addresses (address_id, line1, line2, city, postcode, country, added_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
          address.addressId,
          address.line1,
          address.line2 ?? null,
          address.city,
          address.postcode,
          address.country,
          address.addedAt,
        );
      },
      () => [
        createEvent(
          "com.plantbasedpizza.customer.address-added.v1",
          { customerId, ...address },
          {
            traceparent,
            causationid: commandId,
            subject: customerId,
          },
        ),
      ],
    );
    return address;
  }

  addresses(): Address[] {
    if (!this.created()) return [];
    return this.sql.exec<Row>("SELECT * FROM addresses ORDER BY seq").toArray().map(toAddress);
  }

  address(addressId: string): Address | undefined {
    if (!this.created()) return undefined;
    const row = this.sql.exec<Row>("SELECT * FROM addresses WHERE address_id = ?", addressId).toArray()[0];
    return row && toAddress(row);
  }
}
