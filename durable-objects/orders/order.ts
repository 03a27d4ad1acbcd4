import type { HandlerOutcome, QueueDelivery } from "../../shared/consumer/harness";
import type { Decision, Rejection } from "../../shared/durable/decider";
import {
  acceptLiveSocket,
  answerPingsWhileHibernating,
  broadcast,
  LIVE_FOR_HEADER,
  watched,
} from "../../shared/durable/live-sockets";
import type { InboxEntry } from "../../shared/durable/inbox";
import { PublishingObject } from "../../shared/durable/publishing-object";
import { hasTable } from "../../shared/durable/tables";
import { includedTax, type Money, type TaxedMoney } from "../../shared/events/catalog/money";
import type { Fulfilment, TaxedOrderLine } from "../../shared/events/catalog/orders";
import { envelop, type AnyPizzaEvent, type NewEvent, type PizzaEvent } from "../../shared/events/envelope";
import { registry } from "../../shared/events/registry";
import { isWebSocketUpgrade } from "../../shared/http/live";
import type { CommandOutcome } from "../../shared/http/staff-command";
import {
  decide,
  evolve,
  nextDeadline,
  placed,
  type AwaitingAddress,
  type OrderCommand,
  type OrderState,
  type PaymentStatus,
  type PlacedOrder,
} from "./order-decider";
import type { OrderStatus } from "./order-lifecycle";
import { orderStory, type StoryEntry } from "./order-story";

/**
 * One order: the orders context's write model and its read model (status, history and the events
 * applied, which is what GET /orders/:id answers from). One object per order keeps every order's
 * writes serialised without any global bottleneck.
 *
 * What happens to the order is decided by its pure rules (order-decider.ts); this object loads the
 * state, records the decided events with the new state and the read model in one transaction with
 * the outbox (and, for another context's event, the inbox), and publishes them.
 */
/** SubmitOrder as the orders API hands it over: the order, priced, and how to handle the request. */
export interface SubmitOrder extends Omit<PlacedOrder, "paymentDeadline"> {
  cardToken: string;
  /** Hash of the request body: tells a repeat from a reused Idempotency-Key with another body. */
  fingerprint: string;
  /** Id of the SubmitOrder command: the causation of the first event. */
  commandId: string;
  traceparent: string;
  /** How long payments may take before the order is cancelled. */
  paymentTimeoutSeconds: number;
  /**
   * Set when orders' AddressBook did not know the delivery address yet (it may be on its way): the order
   * waits for it until then (epoch milliseconds) before asking for the money, and is cancelled after.
   */
  awaitAddressUntil?: number;
}

export type { PaymentStatus };

export type SubmitOutcome =
  { outcome: "accepted" | "replayed"; orderId: string; status: OrderStatus } | { outcome: "conflict" };

export interface OrderView {
  orderId: string;
  customerId: string;
  status: OrderStatus;
  fulfilment: Fulfilment;
  deliveryAddressId?: string;
  /** Each line with its tax rate and its net, tax and gross total. */
  items: TaxedOrderLine[];
  /** Tax included. */
  deliveryFee?: Money;
  /** What the customer pays, tax included. */
  total: Money;
  /** The same total split into net and tax. */
  totalWithTax: TaxedMoney;
  payment: { status: PaymentStatus };
  cancellation?: { reason: string };
  history: { status: OrderStatus; at: string; eventType: string; eventId: string }[];
  /** Every fact the order applied, oldest first, in the business's words (order-story.ts). */
  story: StoryEntry[];
}

type OrderRow = {
  order_id: string;
  customer_id: string;
  status: OrderStatus;
  fulfilment: Fulfilment;
  delivery_address_id: string | null;
  items: string;
  delivery_fee: number | null;
  total_amount: number;
  currency: string;
  fingerprint: string;
  traceparent: string;
  payment_status: PaymentStatus;
  payment_deadline: number;
  cancel_reason: string | null;
  /** JSON { deliveryFee?, total } with tax; null for an order placed before RFC 0001. */
  prices: string | null;
  /** JSON AwaitingAddress while the order waits for its delivery address; else null (or absent before). */
  awaiting_address?: string | null;
};

/**
 * The order's prices with their tax. An order stored before prices carried tax (RFC 0001) has only
 * tax-inclusive amounts: it is read as carrying no tax breakdown (all net), never guessed.
 */
function pricesOf(row: OrderRow): Pick<PlacedOrder, "lines" | "deliveryFee" | "total"> {
  type Stored = Omit<TaxedOrderLine, "taxRateBasisPoints" | "total"> & Partial<TaxedOrderLine>;
  const lines = (JSON.parse(row.items) as Stored[]).map((l) => ({
    ...l,
    taxRateBasisPoints: l.taxRateBasisPoints ?? 0,
    total:
      l.total ?? includedTax({ amount: l.unitPrice.amount * l.quantity, currency: l.unitPrice.currency }, 0),
  }));
  if (row.prices !== null)
    return { lines, ...(JSON.parse(row.prices) as Pick<PlacedOrder, "deliveryFee" | "total">) };
  const money = (amount: number): Money => ({ amount, currency: row.currency });
  return {
    lines,
    ...(row.delivery_fee !== null
      ? { deliveryFee: { taxRateBasisPoints: 0, total: includedTax(money(row.delivery_fee), 0) } }
      : {}),
    total: includedTax(money(row.total_amount), 0),
  };
}

const now = () => new Date().toISOString();
const awaitingJson = (state: OrderState) =>
  state.awaitingAddress ? JSON.stringify(state.awaitingAddress) : null;

export class Order extends PublishingObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    answerPingsWhileHibernating(ctx);
    // Since RFC 0001 an order keeps its prices with their tax: the total and the fee as JSON. An order
    // stored before gains the column; an object whose order was never placed stays empty.
    if (!hasTable(this.sql, "orders")) return;
    const columns = this.sql.exec<{ name: string }>("PRAGMA table_info(orders)").toArray();
    if (!columns.some((c) => c.name === "prices")) this.sql.exec("ALTER TABLE orders ADD COLUMN prices TEXT");
    // An order may wait for its delivery address (order-decider.ts): older orders gain the column, empty.
    if (!columns.some((c) => c.name === "awaiting_address"))
      this.sql.exec("ALTER TABLE orders ADD COLUMN awaiting_address TEXT");
  }

  /**
   * The order's tables, created when it is placed (in that transaction), never when the object starts:
   * reading an order id nobody placed (GET /orders/{id} with any id) must store nothing.
   */
  private createTables(): void {
    this.sql.exec(`CREATE TABLE IF NOT EXISTS orders (
      order_id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, status TEXT NOT NULL, fulfilment TEXT NOT NULL,
      delivery_address_id TEXT, items TEXT NOT NULL, delivery_fee INTEGER, total_amount INTEGER NOT NULL,
      currency TEXT NOT NULL, fingerprint TEXT NOT NULL, traceparent TEXT NOT NULL,
      payment_status TEXT NOT NULL, payment_deadline INTEGER NOT NULL, cancel_reason TEXT, prices TEXT,
      awaiting_address TEXT) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS history (
      seq INTEGER PRIMARY KEY, status TEXT NOT NULL, at TEXT NOT NULL, event_type TEXT NOT NULL, event_id TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS applied_events (seq INTEGER PRIMARY KEY, event TEXT NOT NULL);`);
  }

  // ---- Commands ---------------------------------------------------------------------------------

  /**
   * SubmitOrder. The first call records the order, announces it and asks payments to take the money;
   * a repeat with the same fingerprint answers what the first call answered and records nothing;
   * another body under the same key is a conflict.
   */
  submit(command: SubmitOrder): SubmitOutcome {
    const existing = this.row();
    if (existing) {
      return existing.fingerprint === command.fingerprint
        ? { outcome: "replayed", orderId: existing.order_id, status: "submitted" }
        : { outcome: "conflict" };
    }
    const { orderId, customerId, fulfilment, deliveryAddressId, lines, deliveryFee, total } = command;
    const paymentTimeoutMs = command.paymentTimeoutSeconds * 1000;
    const waitsUntil = command.awaitAddressUntil;
    const order: PlacedOrder = {
      orderId,
      customerId,
      fulfilment,
      ...(deliveryAddressId ? { deliveryAddressId } : {}),
      lines,
      ...(deliveryFee ? { deliveryFee } : {}),
      total,
      // Waiting for its address, payments gets its whole timeout after the address deadline (order-decider.ts).
      paymentDeadline: (waitsUntil ?? Date.now()) + paymentTimeoutMs,
    };
    this.handle(
      placed(
        order,
        waitsUntil === undefined ? undefined : { cardToken: command.cardToken, until: waitsUntil },
      ),
      { type: "submit", cardToken: command.cardToken, at: now() },
      command.commandId,
      {
        placement: { fingerprint: command.fingerprint, traceparent: command.traceparent },
      },
    );
    return { outcome: "accepted", orderId, status: "submitted" };
  }

  /**
   * Whether the customer may cancel, as far as the order knows: its own customer, not cancelled yet,
   * and not known to be in the kitchen. The kitchen has the last word (it alone knows whether a cook
   * has started): the orders API asks it next, then records the cancel with `cancel`.
   */
  cancelCheck(customerId: string): { ok: true; alreadyCancelled: boolean } | Rejection {
    const state = this.state();
    if (!state) return { ok: false, status: 404, reason: "No such order for this customer." };
    const decision = decide({ type: "cancel", customerId, at: now() }, state);
    return decision.ok ? { ok: true, alreadyCancelled: decision.events.length === 0 } : decision;
  }

  /** The customer cancels: allowed until the kitchen starts preparing; a paid order is refunded. */
  cancel(
    customerId: string,
    commandId = `cancel-order:${crypto.randomUUID()}`,
  ): CommandOutcome<{ orderId: string; status: OrderStatus }> {
    const state = this.state();
    if (!state) return { ok: false, status: 404, reason: "No such order for this customer." };
    const decision = this.handle(state, { type: "cancel", customerId, at: now() }, commandId);
    return decision.ok
      ? { ok: true, state: { orderId: state.order.orderId, status: "cancelled" } }
      : decision;
  }

  /**
   * Orders' AddressBook learned a delivery address this order waits for: if it is the order's own, the
   * order goes on as any order (asks payments for the money). Idempotent: an order not waiting (any
   * more), or waiting for another address, does nothing.
   * "unknown-order" when nothing was placed here (yet): the book keeps it on its list and tries again.
   */
  addressKnown(addressId: string, causationid: string): "continued" | "not-waiting" | "unknown-order" {
    const state = this.state();
    if (!state) return "unknown-order";
    const decision = this.handle(state, { type: "address-known", addressId, at: now() }, causationid);
    return decision.ok && decision.events.length > 0 ? "continued" : "not-waiting";
  }

  // ---- Events from other contexts (orders' event handlers) --------------------------------------

  /** Applies another context's event about this order, once, and reacts to it. */
  applyEvent(event: AnyPizzaEvent, delivery?: QueueDelivery): HandlerOutcome | "unknown-order" {
    // Every other context's event follows one of this order's own, so an unknown order means the
    // event is wrong (or arrived at the wrong object): the handler fails it, so the harness retries
    // then dead-letters. (Answered, not thrown: a throw would also log as this object's own error.)
    const state = this.state();
    if (!state) return "unknown-order";
    if (this.inbox.has(event)) return "duplicate";
    this.handle(state, { type: "react", to: event, at: now() }, event.id, { news: event, delivery });
    return "processed";
  }

  // ---- Timers -----------------------------------------------------------------------------------

  /**
   * The deadlines: an order still waiting for its delivery address, or for its payment, then is
   * cancelled (each is nothing for an order not waiting for it).
   */
  protected override onAlarm(): number | undefined {
    const state = this.state();
    if (!state) return undefined;
    const { orderId } = state.order;
    this.handle(state, { type: "address-deadline", at: now() }, `address-deadline:${orderId}`);
    this.handle(this.state()!, { type: "payment-deadline", at: now() }, `payment-deadline:${orderId}`);
    // Woken early (the outbox's safety net): still waiting, so wake again at the deadline.
    return nextDeadline(this.state()!);
  }

  // ---- Recording what the rules decided ----------------------------------------------------------

  /**
   * Decides `command` on `state` and records the outcome in one transaction: another context's
   * event (`news`, remembered in the inbox) and the decided events are applied to the state and the
   * read model, and the decided events go to the outbox. Each decided event continues the order's
   * trace and is caused by the one before it, the first by `causationid` (the command or the news).
   * A new order (`placement`) is inserted with its idempotency fingerprint and trace.
   */
  private handle(
    state: OrderState,
    command: OrderCommand,
    causationid: string,
    {
      news,
      delivery,
      placement,
    }: {
      news?: AnyPizzaEvent;
      delivery?: QueueDelivery;
      placement?: { fingerprint: string; traceparent: string };
    } = {},
  ): Decision<NewEvent> {
    const decision = decide(command, state);
    if (!decision.ok || (decision.events.length === 0 && !news)) return decision;
    const traceparent = placement?.traceparent ?? this.row()!.traceparent;
    let current = state;
    this.record(
      () => {
        if (placement) this.createTables();
        if (!news) return;
        this.inbox.remember(news, delivery);
        current = this.apply(current, news);
      },
      () => {
        let cause = causationid;
        const events = decision.events.map((decided) => {
          const event = envelop(decided, { traceparent, causationid: cause, subject: state.order.orderId });
          cause = event.id;
          current = this.apply(current, event);
          return event;
        });
        this.save(current, placement);
        return events;
      },
    );
    this.pushView(state.order.customerId);
    return decision;
  }

  /**
   * Evolves the state by one event and keeps the read model in step: the event among those applied
   * (facts only: commands to payments are not the order's story) and a history entry when it moved
   * the status. Call inside `record`.
   */
  private apply(state: OrderState, event: AnyPizzaEvent): OrderState {
    const next = evolve(state, event);
    if (registry[event.type].shape !== "command") {
      this.sql.exec("INSERT INTO applied_events (event) VALUES (?)", JSON.stringify(event));
    }
    if (next.status !== state.status) {
      this.sql.exec(
        "INSERT INTO history (status, at, event_type, event_id) VALUES (?, ?, ?, ?)",
        next.status,
        event.time,
        event.type,
        event.id,
      );
    }
    return next;
  }

  // ---- Storage ----------------------------------------------------------------------------------

  private row(): OrderRow | undefined {
    if (!hasTable(this.sql, "orders")) return undefined;
    return this.sql.exec<OrderRow>("SELECT * FROM orders").toArray()[0];
  }

  private state(): OrderState | undefined {
    const row = this.row();
    if (!row) return undefined;
    const { lines, deliveryFee, total } = pricesOf(row);
    return {
      order: {
        orderId: row.order_id,
        customerId: row.customer_id,
        fulfilment: row.fulfilment,
        ...(row.delivery_address_id ? { deliveryAddressId: row.delivery_address_id } : {}),
        lines,
        ...(deliveryFee ? { deliveryFee } : {}),
        total,
        paymentDeadline: row.payment_deadline,
      },
      status: row.status,
      payment: row.payment_status,
      ...(row.cancel_reason !== null ? { cancellation: { reason: row.cancel_reason } } : {}),
      ...(row.awaiting_address
        ? { awaitingAddress: JSON.parse(row.awaiting_address) as AwaitingAddress }
        : {}),
    };
  }

  /** Stores the state: the whole order when it is new (`placement`), else what changes. */
  private save(state: OrderState, placement?: { fingerprint: string; traceparent: string }): void {
    const { order } = state;
    if (placement) {
      this.sql.exec(
        `INSERT INTO orders (order_id, customer_id, status, fulfilment, delivery_address_id, items, delivery_fee, total_amount,
           currency, fingerprint, traceparent, payment_status, payment_deadline, cancel_reason, prices, awaiting_address)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        order.orderId,
        order.customerId,
        state.status!,
        order.fulfilment,
        order.deliveryAddressId ?? null,
        JSON.stringify(order.lines),
        order.deliveryFee?.total.gross.amount ?? null,
        order.total.gross.amount,
        order.total.gross.currency,
        placement.fingerprint,
        placement.traceparent,
        state.payment,
        order.paymentDeadline,
        state.cancellation?.reason ?? null,
        JSON.stringify({ deliveryFee: order.deliveryFee, total: order.total }),
        awaitingJson(state),
      );
      return;
    }
    this.sql.exec(
      "UPDATE orders SET status = ?, payment_status = ?, cancel_reason = ?, awaiting_address = ?",
      state.status!,
      state.payment,
      state.cancellation?.reason ?? null,
      awaitingJson(state),
    );
  }

  // ---- Queries ----------------------------------------------------------------------------------

  /** The read model, for its own customer only; undefined for anyone else or an unknown order. */
  view(customerId: string): OrderView | undefined {
    const state = this.state();
    if (!state || state.order.customerId !== customerId) return undefined;
    const { order } = state;
    const history = this.sql
      .exec<{ status: OrderStatus; at: string; event_type: string; event_id: string }>(
        "SELECT status, at, event_type, event_id FROM history ORDER BY seq",
      )
      .toArray()
      .map((h) => ({ status: h.status, at: h.at, eventType: h.event_type, eventId: h.event_id }));
    return {
      orderId: order.orderId,
      customerId: order.customerId,
      status: state.status!,
      fulfilment: order.fulfilment,
      ...(order.deliveryAddressId ? { deliveryAddressId: order.deliveryAddressId } : {}),
      items: order.lines,
      ...(order.deliveryFee ? { deliveryFee: order.deliveryFee.total.gross } : {}),
      total: order.total.gross,
      totalWithTax: order.total,
      payment: { status: state.payment },
      ...(state.cancellation ? { cancellation: state.cancellation } : {}),
      history,
      story: orderStory(this.appliedEventsOldestFirst()),
    };
  }

  /** The CloudEvents this read model has applied, oldest first; undefined as for `view`. */
  appliedEvents(customerId: string): PizzaEvent[] | undefined {
    if (this.row()?.customer_id !== customerId) return undefined;
    return this.appliedEventsOldestFirst();
  }

  private appliedEventsOldestFirst(): PizzaEvent[] {
    return this.sql
      .exec<{ event: string }>("SELECT event FROM applied_events ORDER BY seq")
      .toArray()
      .map((r) => JSON.parse(r.event) as PizzaEvent);
  }

  // ---- Live status (GET /orders/{orderId}/live) -------------------------------------------------

  /**
   * The order's live view: the orders worker verified the token and forwards the upgrade with the
   * customer's id (LIVE_FOR_HEADER; only the worker reaches this object). Its own customer's socket is
   * accepted with the Hibernation API and gets the view at once; anyone else, or an order nobody
   * placed, gets 404, and nothing is stored.
   */
  override async fetch(request: Request): Promise<Response> {
    const customerId = request.headers.get(LIVE_FOR_HEADER);
    const order = customerId ? this.view(customerId) : undefined;
    if (!customerId || !order) return new Response(null, { status: 404 });
    if (!isWebSocketUpgrade(request)) return new Response(null, { status: 426 });
    return acceptLiveSocket(this.ctx, request, [customerId], { type: "order", order });
  }

  /** After a change of the read model (outside its transaction): the new view to every live socket. */
  private pushView(customerId: string): void {
    if (!watched(this.ctx, customerId)) return;
    broadcast(this.ctx, { type: "order", order: this.view(customerId) }, customerId);
  }

  /**
   * What the order knows for operators' timeline (GET /ops/orders/{orderId}/timeline, operator role,
   * checked by the ops API): its customer, every fact it applied (its own and other contexts'), and its
   * inbox (which of them orders' handlers applied, when, after how many attempts). Undefined, and
   * nothing stored, for an order never placed.
   */
  timelineFacts(): { customerId: string; applied: PizzaEvent[]; handled: InboxEntry[] } | undefined {
    const row = this.row();
    if (!row) return undefined;
    const applied = this.appliedEvents(row.customer_id)!;
    return { customerId: row.customer_id, applied, handled: this.inbox.entries() };
  }
}
