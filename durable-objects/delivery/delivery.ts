import type { HandlerOutcome, QueueDelivery } from "../../shared/consumer/harness";
import { createEvent, type PizzaEvent } from "../../shared/events/envelope";
import type { EventType } from "../../shared/events/registry";
import { PublishingObject, type BusEnv } from "../../shared/durable/publishing-object";
import { hasTable } from "../../shared/durable/tables";
import { staffStep, type CommandOutcome } from "../../shared/http/staff-command";
import type { DeliveryAddress, DeliveryAddresses } from "./delivery-addresses";
import type { DeliveryBoardChange } from "./delivery-board";

/**
 * The delivery of one order, in delivery's own storage. The ready-for-delivery event carries only
 * identifiers; the address comes from delivery's own copy (DeliveryAddresses), never from the
 * customers context. Drivers move it on with commands; each step is announced with an event.
 *
 *   waiting-for-driver --driver assigned--> driver-assigned --collected by driver--> out-for-delivery --delivered--> delivered
 */
export type DeliveryStatus = "waiting-for-driver" | "driver-assigned" | "out-for-delivery" | "delivered";

export interface DeliveryView {
  deliveryId: string;
  orderId: string;
  customerId: string;
  status: DeliveryStatus;
  driverId?: string;
  address: DeliveryAddress;
  openedAt: string;
}

export interface DeliveryEnv extends BusEnv {
  DELIVERY_ADDRESSES: DurableObjectNamespace<DeliveryAddresses>;
}

type Row = {
  delivery_id: string;
  order_id: string;
  customer_id: string;
  status: DeliveryStatus;
  driver_id: string | null;
  address: string;
  opened_at: string;
  traceparent: string;
  caused_by: string;
};

/** One driver step: from which status, to which, announced by which event. */
const STEPS = {
  assignDriver: {
    from: "waiting-for-driver",
    to: "driver-assigned",
    event: "com.plantbasedpizza.delivery.driver-assigned.v1",
    at: "assignedAt",
  },
  collectedByDriver: {
    from: "driver-assigned",
    to: "out-for-delivery",
    event: "com.plantbasedpizza.delivery.order-collected-by-driver.v1",
    at: "collectedAt",
  },
  delivered: {
    from: "out-for-delivery",
    to: "delivered",
    event: "com.plantbasedpizza.delivery.order-delivered.v1",
    at: "deliveredAt",
  },
} as const satisfies Record<
  string,
  { from: DeliveryStatus; to: DeliveryStatus; event: EventType; at: string }
>;
type Step = keyof typeof STEPS;

const ORDER: DeliveryStatus[] = ["waiting-for-driver", "driver-assigned", "out-for-delivery", "delivered"];
const NOT_FOUND = { ok: false, status: 404, reason: "No delivery for this order." } as const;

export class Delivery extends PublishingObject<DeliveryEnv> {
  /**
   * The delivery's table, created with the delivery (in the transaction that opens it), never when the
   * object starts: a driver reading or commanding an order id delivery never saw must store nothing.
   */
  private createTable(): void {
    this.sql.exec(`CREATE TABLE IF NOT EXISTS delivery (
      delivery_id TEXT PRIMARY KEY, order_id TEXT NOT NULL, customer_id TEXT NOT NULL, status TEXT NOT NULL,
      driver_id TEXT, address TEXT NOT NULL, opened_at TEXT NOT NULL, traceparent TEXT NOT NULL, caused_by TEXT NOT NULL) WITHOUT ROWID`);
  }

  private row(): Row | undefined {
    if (!hasTable(this.sql, "delivery")) return undefined;
    return this.sql.exec<Row>("SELECT * FROM delivery").toArray()[0];
  }

  /**
   * Ready for delivery: open the delivery to the address from delivery's own copy. If that copy does
   * not have the address yet (queues keep no order: its event may still be on the way), say so, and the
   * consumer throws so the harness retries with backoff. (Answered rather than thrown here: an error
   * thrown out of a Durable Object is also reported as the object's own uncaught exception.)
   */
  async openDelivery(
    event: PizzaEvent<"com.plantbasedpizza.order.ready-for-delivery.v1">,
    delivery?: QueueDelivery,
  ): Promise<HandlerOutcome | "address-not-copied-yet"> {
    if (this.inbox.has(event)) return "duplicate";
    const { orderId, customerId, deliveryAddressId } = event.data;
    const address = await this.env.DELIVERY_ADDRESSES.getByName(customerId).address(deliveryAddressId);
    if (!address) return "address-not-copied-yet";
    // once() checks the inbox again inside the transaction: a redelivery may have raced the lookup.
    return this.inbox.once(event, delivery, () => {
      if (this.row()) return;
      this.createTable();
      this.sql.exec(
        "INSERT INTO delivery (delivery_id, order_id, customer_id, status, address, opened_at, traceparent, caused_by) VALUES (?, ?, ?, 'waiting-for-driver', ?, ?, ?, ?)",
        `delivery-${orderId}`,
        orderId,
        customerId,
        JSON.stringify(address),
        new Date().toISOString(),
        event.traceparent,
        event.id,
      );
    });
  }

  assignDriver(driverId: string): CommandOutcome<DeliveryView> {
    const row = this.row();
    if (!row) return NOT_FOUND;
    // Another driver cannot take an order that already has one; the same driver asking again is a repeat.
    if (row.driver_id !== null && row.driver_id !== driverId) {
      return {
        ok: false,
        status: 409,
        reason: `Driver ${row.driver_id} is already assigned to this delivery.`,
      };
    }
    return this.step("assignDriver", row, driverId);
  }

  collectedByDriver(): CommandOutcome<DeliveryView> {
    const row = this.row();
    return row ? this.step("collectedByDriver", row, row.driver_id) : NOT_FOUND;
  }

  delivered(): CommandOutcome<DeliveryView> {
    const row = this.row();
    return row ? this.step("delivered", row, row.driver_id) : NOT_FOUND;
  }

  private step(name: Step, row: Row, driverId: string | null): CommandOutcome<DeliveryView> {
    const step = STEPS[name];
    const where = staffStep(ORDER, row.status, step, "delivery");
    if (where === "already-done") return { ok: true, state: this.delivery()! };
    if (where !== "go") return where;
    if (driverId === null) return { ok: false, status: 409, reason: "The delivery has no driver yet." };
    const at = new Date().toISOString();
    this.record(
      () => this.sql.exec("UPDATE delivery SET status = ?, driver_id = ?", step.to, driverId),
      () => [
        createEvent(
          step.event,
          { orderId: row.order_id, deliveryId: row.delivery_id, driverId, [step.at]: at } as never,
          {
            // Driver steps continue the order's trace; the cause is the ready-for-delivery event.
            traceparent: row.traceparent,
            causationid: row.caused_by,
            subject: row.order_id,
          },
        ),
      ],
    );
    return { ok: true, state: this.delivery()! };
  }

  delivery(): DeliveryView | undefined {
    const row = this.row();
    if (!row) return undefined;
    return {
      deliveryId: row.delivery_id,
      orderId: row.order_id,
      customerId: row.customer_id,
      status: row.status,
      ...(row.driver_id !== null ? { driverId: row.driver_id } : {}),
      address: JSON.parse(row.address) as DeliveryAddress,
      openedAt: row.opened_at,
    };
  }

  /**
   * What the drivers' board shows of this delivery, versioned by its step: a delivery only moves
   * forward (and its driver, once assigned, never changes), so a higher step is always newer.
   */
  boardChange(): DeliveryBoardChange | undefined {
    const row = this.row();
    if (!row) return undefined;
    return {
      version: ORDER.indexOf(row.status),
      open: row.status !== "delivered",
      since: row.opened_at,
      row: {
        orderId: row.order_id,
        status: row.status,
        ...(row.driver_id !== null ? { driver: row.driver_id } : {}),
        openedAt: row.opened_at,
      },
    };
  }
}
