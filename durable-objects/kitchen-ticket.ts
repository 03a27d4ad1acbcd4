import type { HandlerOutcome } from "../shared/consumer/harness";
import { createEvent, type PizzaEvent } from "../shared/events/envelope";
import { PublishingObject, type BusEnv } from "../shared/durable/publishing-object";

/**
 * The kitchen's ticket for one order, in the kitchen's own storage: built from the confirmed order's
 * event-carried state, so the kitchen never calls the orders context back.
 */
export type TicketStatus = "preparing";

export interface Ticket {
  ticketId: string;
  orderId: string;
  status: TicketStatus;
  items: { recipeId: string; name: string; quantity: number }[];
  openedAt: string;
}

export class KitchenTicket extends PublishingObject<BusEnv> {
  constructor(ctx: DurableObjectState, env: BusEnv) {
    super(ctx, env);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS ticket (
      ticket_id TEXT PRIMARY KEY, order_id TEXT NOT NULL, status TEXT NOT NULL, items TEXT NOT NULL, opened_at TEXT NOT NULL)`);
  }

  /**
   * Order confirmed: open the ticket and start preparing straight away (one cook, no queue yet).
   * The inbox check and the write run without an await between them, so no redelivery can interleave.
   */
  openTicket(event: PizzaEvent<"com.plantbasedpizza.order.confirmed.v1">): HandlerOutcome {
    if (this.inbox.has(event)) return "duplicate";
    const { orderId, items } = event.data;
    const ticketId = `ticket-${orderId}`;
    const startedAt = new Date().toISOString();
    this.record(
      () => {
        this.sql.exec(
          "INSERT INTO ticket VALUES (?, ?, 'preparing', ?, ?)",
          ticketId, orderId, JSON.stringify(items.map(({ recipeId, name, quantity }) => ({ recipeId, name, quantity }))), startedAt,
        );
        this.inbox.remember(event);
      },
      () => [
        createEvent(
          "com.plantbasedpizza.kitchen.preparation-started.v1",
          { orderId, ticketId, startedAt },
          { traceparent: event.traceparent, causationid: event.id, subject: orderId },
        ),
      ],
    );
    return "processed";
  }

  ticket(): Ticket | undefined {
    const row = this.sql
      .exec<{ ticket_id: string; order_id: string; status: TicketStatus; items: string; opened_at: string }>("SELECT * FROM ticket")
      .toArray()[0];
    return row && { ticketId: row.ticket_id, orderId: row.order_id, status: row.status, items: JSON.parse(row.items) as Ticket["items"], openedAt: row.opened_at };
  }
}
