import type { HandlerOutcome, QueueDelivery } from "../../shared/consumer/harness";
import { createEvent, type PizzaEvent } from "../../shared/events/envelope";
import type { EventType } from "../../shared/events/registry";
import { PublishingObject, type BusEnv } from "../../shared/durable/publishing-object";
import { hasTable } from "../../shared/durable/tables";
import { staffStep, type CommandOutcome } from "../../shared/http/staff-command";
import { summariseItems, type KitchenBoardChange } from "./kitchen-board";

/**
 * The kitchen's ticket for one order, in the kitchen's own storage, built from the confirmed order's
 * event-carried state (the kitchen never calls orders back). Staff move it on with commands; each
 * step is announced with an event.
 *
 *   waiting --start preparing--> preparing --pizza baked--> baked --quality checked--> quality-checked
 *   waiting (or not yet opened) --customer cancels in time--> withdrawn, announced (ticket withdrawn)
 *   waiting | preparing | baked --order cancelled--> withdrawn
 */
export type TicketStatus = "waiting" | "preparing" | "baked" | "quality-checked" | "withdrawn";

export interface Ticket {
  ticketId: string;
  orderId: string;
  status: TicketStatus;
  /** Each line with, for catering orders, who it is for and what the cooks must know (allergies). */
  items: { recipeId: string; name: string; quantity: number; label?: string; notes?: string }[];
  openedAt: string;
}

type Row = { ticket_id: string; order_id: string; status: TicketStatus; items: string; opened_at: string };

/** One staff step: from which status, to which, announced by which event. */
const STEPS = {
  startPreparing: {
    from: "waiting",
    to: "preparing",
    event: "com.plantbasedpizza.kitchen.preparation-started.v1",
    at: "startedAt",
  },
  pizzaBaked: {
    from: "preparing",
    to: "baked",
    event: "com.plantbasedpizza.kitchen.pizza-baked.v1",
    at: "bakedAt",
  },
  qualityChecked: {
    from: "baked",
    to: "quality-checked",
    event: "com.plantbasedpizza.kitchen.quality-checked.v1",
    at: "checkedAt",
  },
} as const satisfies Record<string, { from: TicketStatus; to: TicketStatus; event: EventType; at: string }>;
type Step = keyof typeof STEPS;

const ORDER: TicketStatus[] = ["waiting", "preparing", "baked", "quality-checked"];

/**
 * The board's version of a ticket: its step. A ticket only moves forward, and withdrawn and
 * quality-checked both end it (a checked ticket is never withdrawn), so a higher step is always newer.
 */
const BOARD_STEP: Record<TicketStatus, number> = {
  waiting: 0,
  preparing: 1,
  baked: 2,
  "quality-checked": 3,
  withdrawn: 4,
};

export class KitchenTicket extends PublishingObject<BusEnv> {
  /**
   * The ticket's table, created with the ticket (in the transaction that stores it), never when the
   * object starts: staff reading or commanding an order id the kitchen never saw must store nothing.
   */
  private createTable(): void {
    this.sql.exec(`CREATE TABLE IF NOT EXISTS ticket (
      ticket_id TEXT PRIMARY KEY, order_id TEXT NOT NULL, status TEXT NOT NULL, items TEXT NOT NULL, opened_at TEXT NOT NULL,
      traceparent TEXT NOT NULL DEFAULT '', caused_by TEXT NOT NULL DEFAULT '') WITHOUT ROWID`);
  }

  private row(): (Row & { traceparent: string; caused_by: string }) | undefined {
    if (!hasTable(this.sql, "ticket")) return undefined;
    return this.sql
      .exec<Row & { traceparent: string; caused_by: string }>("SELECT * FROM ticket")
      .toArray()[0];
  }

  /** Order confirmed: the ticket waits for a cook. (A cancellation that overtook it leaves it withdrawn.) */
  openTicket(
    event: PizzaEvent<"com.plantbasedpizza.order.confirmed.v2">,
    delivery?: QueueDelivery,
  ): HandlerOutcome {
    const { orderId, items } = event.data;
    return this.inbox.once(event, delivery, () => {
      const existing = this.row();
      const lines = JSON.stringify(
        items.map(({ recipeId, name, quantity, label, notes }) => ({
          recipeId,
          name,
          quantity,
          label,
          notes,
        })),
      );
      if (existing) {
        this.sql.exec("UPDATE ticket SET items = ? WHERE ticket_id = ?", lines, existing.ticket_id);
        return;
      }
      this.createTable();
      this.sql.exec(
        "INSERT INTO ticket (ticket_id, order_id, status, items, opened_at, traceparent, caused_by) VALUES (?, ?, 'waiting', ?, ?, ?, ?)",
        `ticket-${orderId}`,
        orderId,
        lines,
        new Date().toISOString(),
        event.traceparent,
        event.id,
      );
    });
  }

  /** Order cancelled: nobody cooks it. Queues keep no order, so this may arrive before the ticket. */
  withdrawTicket(
    event: PizzaEvent<"com.plantbasedpizza.order.cancelled.v1">,
    delivery?: QueueDelivery,
  ): HandlerOutcome {
    return this.inbox.once(event, delivery, () => {
      const existing = this.row();
      if (!existing) {
        this.createTable();
        this.sql.exec(
          "INSERT INTO ticket (ticket_id, order_id, status, items, opened_at, traceparent, caused_by) VALUES (?, ?, 'withdrawn', '[]', ?, ?, ?)",
          `ticket-${event.data.orderId}`,
          event.data.orderId,
          new Date().toISOString(),
          event.traceparent,
          event.id,
        );
      } else if (existing.status !== "quality-checked") {
        this.sql.exec("UPDATE ticket SET status = 'withdrawn'");
      }
    });
  }

  /**
   * The customer asks to cancel. Only the kitchen knows whether a cook has started, and this object
   * serialises the question with start-preparing, so the answer is exact whatever the timing: a ticket
   * not yet started (or not yet opened: its confirmation may still be on the way) is withdrawn and that
   * is announced, and orders cancels on it; a started one is refused with why, and the order goes on.
   */
  withdrawBeforeStart(
    orderId: string,
    reason: string,
    cause: { traceparent: string; causationid: string },
  ): CommandOutcome<{ orderId: string; status: "withdrawn" }> {
    const row = this.row();
    const withdrawn = { ok: true, state: { orderId, status: "withdrawn" } } as const;
    if (row?.status === "withdrawn") return withdrawn;
    if (row && row.status !== "waiting") {
      return {
        ok: false,
        status: 409,
        reason: `The kitchen has started preparing it (the ticket is ${row.status}): it can no longer be cancelled.`,
      };
    }
    const ticketId = row?.ticket_id ?? `ticket-${orderId}`;
    const withdrawnAt = new Date().toISOString();
    this.record(
      () => {
        if (row) return this.sql.exec("UPDATE ticket SET status = 'withdrawn'");
        this.createTable();
        return this.sql.exec(
          "INSERT INTO ticket (ticket_id, order_id, status, items, opened_at, traceparent, caused_by) VALUES (?, ?, 'withdrawn', '[]', ?, ?, ?)",
          ticketId,
          orderId,
          withdrawnAt,
          cause.traceparent,
          cause.causationid,
        );
      },
      () => [
        createEvent(
          "com.plantbasedpizza.kitchen.ticket-withdrawn.v1",
          { orderId, ticketId, reason, withdrawnAt },
          { ...cause, subject: orderId },
        ),
      ],
    );
    return withdrawn;
  }

  startPreparing(): CommandOutcome<Ticket> {
    return this.step("startPreparing");
  }

  pizzaBaked(): CommandOutcome<Ticket> {
    return this.step("pizzaBaked");
  }

  qualityChecked(): CommandOutcome<Ticket> {
    return this.step("qualityChecked");
  }

  private step(name: Step): CommandOutcome<Ticket> {
    const step = STEPS[name];
    const row = this.row();
    if (!row || (row.status === "withdrawn" && row.items === "[]"))
      return { ok: false, status: 404, reason: "No ticket for this order." };
    if (row.status === "withdrawn")
      return { ok: false, status: 409, reason: "The order was cancelled; its ticket is withdrawn." };
    const where = staffStep(ORDER, row.status, step, "ticket");
    if (where === "already-done") return { ok: true, state: this.ticket()! };
    if (where !== "go") return where;
    const at = new Date().toISOString();
    this.record(
      () => this.sql.exec("UPDATE ticket SET status = ?", step.to),
      () => [
        createEvent(step.event, { orderId: row.order_id, ticketId: row.ticket_id, [step.at]: at } as never, {
          // Staff steps continue the order's trace; the cause is the order confirmed event.
          traceparent: row.traceparent,
          causationid: row.caused_by,
          subject: row.order_id,
        }),
      ],
    );
    return { ok: true, state: this.ticket()! };
  }

  ticket(): Ticket | undefined {
    const row = this.row();
    return (
      row && {
        ticketId: row.ticket_id,
        orderId: row.order_id,
        status: row.status,
        items: JSON.parse(row.items) as Ticket["items"],
        openedAt: row.opened_at,
      }
    );
  }

  /** What the kitchen's board shows of this ticket, versioned by its step (KitchenBoard). */
  boardChange(): KitchenBoardChange | undefined {
    const ticket = this.ticket();
    if (!ticket) return undefined;
    const { orderId, status, items, openedAt } = ticket;
    return {
      version: BOARD_STEP[status],
      open: status !== "withdrawn" && status !== "quality-checked",
      since: openedAt,
      row: { orderId, status, ...summariseItems(items), openedAt },
    };
  }
}
