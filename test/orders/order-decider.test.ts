import { describe, expect, it } from "vitest";
import {
  evolve,
  orderDecider,
  DELIVERY_ADDRESS_UNKNOWN,
  nextDeadline,
  placed,
  type OrderState,
  type PlacedOrder,
} from "../../durable-objects/orders/order-decider";
import type { NewEvent } from "../../shared/events/envelope";
import type { EventData, EventType } from "../../shared/events/registry";
import { deciderSpec } from "../support/decider-spec";

/**
 * The order's rules, Given/When/Then, in Node: no Durable Object, no queue, no clock. Given an order
 * and what already happened to it, when a command or another context's news comes, then these events.
 */
const spec = deciderSpec(orderDecider);
const at = "2030-06-01T12:00:00.000Z";
const orderId = "0e9c1d52-3f4a-4b7c-8d9e-0f1a2b3c4d5e";
const customerId = "alice";
const gbp = (amount: number) => ({ amount, currency: "GBP" });
const DEADLINE = Date.parse("2030-06-01T12:00:30.000Z");

// Prices include 20% VAT: 2300 = 1917 net + 383 tax; the fee 300 = 250 + 50.
const taxed = (net: number, tax: number) => ({ net: gbp(net), tax: gbp(tax), gross: gbp(net + tax) });
const twoFunghi = {
  recipeId: "funghi",
  name: "Funghi",
  quantity: 2,
  unitPrice: gbp(1150),
  taxRateBasisPoints: 2000,
  total: taxed(1917, 383),
};
const collection: PlacedOrder = {
  orderId,
  customerId,
  fulfilment: "collection",
  lines: [twoFunghi],
  total: taxed(1917, 383),
  paymentDeadline: DEADLINE,
};
const delivery: PlacedOrder = {
  ...collection,
  fulfilment: "delivery",
  deliveryAddressId: "address-7",
  deliveryFee: { taxRateBasisPoints: 2000, total: taxed(250, 50) },
  total: taxed(2167, 433),
};
const aCollectionOrder = placed(collection);
const aDeliveryOrder = placed(delivery);

const e = <T extends EventType>(type: T, data: EventData<T>) => ({ type, data }) as NewEvent;

// The order's own events.
const submitted = (order = collection) =>
  e("com.plantbasedpizza.order.submitted.v1", {
    orderId,
    customerId,
    fulfilment: order.fulfilment,
    total: order.total.gross,
    submittedAt: at,
  });
const takePayment = (order = collection) =>
  e("com.plantbasedpizza.payments.take-payment.v1", {
    orderId,
    customerId,
    amount: order.total.gross,
    cardToken: "tok_visa",
  });
const confirmed = (order = collection) =>
  e("com.plantbasedpizza.order.confirmed.v2", {
    orderId,
    customerId,
    fulfilment: order.fulfilment,
    ...(order.deliveryAddressId ? { deliveryAddressId: order.deliveryAddressId } : {}),
    items: order.lines,
    ...(order.deliveryFee ? { deliveryFee: order.deliveryFee } : {}),
    total: order.total,
    confirmedAt: at,
  });
const cancelled = (reason: string, cancelledAt = at) =>
  e("com.plantbasedpizza.order.cancelled.v1", { orderId, customerId, reason, cancelledAt });
const voidPayment = (reason: string) =>
  e("com.plantbasedpizza.payments.void-payment.v1", { orderId, reason });
const refundPayment = (reason: string) =>
  e("com.plantbasedpizza.payments.refund-payment.v1", { orderId, reason });
const completed = (order = collection) =>
  e("com.plantbasedpizza.order.completed.v2", {
    orderId,
    customerId,
    fulfilment: order.fulfilment,
    total: order.total,
    completedAt: at,
  });

// Other contexts' news about it.
const paymentTaken = e("com.plantbasedpizza.payment.taken.v1", {
  orderId,
  paymentId: "p-1",
  amount: gbp(2300),
  takenAt: at,
});
const paymentFailed = e("com.plantbasedpizza.payment.failed.v1", {
  orderId,
  paymentId: "p-1",
  reason: "card declined",
  failedAt: at,
});
const paymentRefunded = e("com.plantbasedpizza.payment.refunded.v1", {
  orderId,
  paymentId: "p-1",
  amount: gbp(2300),
  reason: "r",
  refundedAt: at,
});
const paymentVoided = e("com.plantbasedpizza.payment.voided.v1", {
  orderId,
  paymentId: "p-1",
  reason: "cancelled by the customer",
  voidedAt: at,
});
const ticketId = "ticket-1";
const preparationStarted = e("com.plantbasedpizza.kitchen.preparation-started.v1", {
  orderId,
  ticketId,
  startedAt: at,
});
const pizzaBaked = e("com.plantbasedpizza.kitchen.pizza-baked.v1", { orderId, ticketId, bakedAt: at });
const qualityChecked = e("com.plantbasedpizza.kitchen.quality-checked.v1", {
  orderId,
  ticketId,
  checkedAt: at,
});
const readyForCollection = e("com.plantbasedpizza.order.ready-for-collection.v1", { orderId, customerId });
const collectedAtCounter = e("com.plantbasedpizza.collection.order-collected.v1", {
  orderId,
  collectedAt: at,
});
const delivered = e("com.plantbasedpizza.delivery.order-delivered.v1", {
  orderId,
  deliveryId: "d-1",
  driverId: "dan",
  deliveredAt: at,
});

// Commands.
const submit = { type: "submit", cardToken: "tok_visa", at } as const;
const cancelBy = (customer: string) => ({ type: "cancel", customerId: customer, at }) as const;
const react = (news: NewEvent) => ({ type: "react", to: news, at }) as const;
const paymentDeadlineAt = (time: number) =>
  ({ type: "payment-deadline", at: new Date(time).toISOString() }) as const;

const paid = [submitted(), takePayment(), paymentTaken, confirmed()] as const;
const stateAfter = (initial: OrderState, ...events: NewEvent[]) => events.reduce(evolve, initial);

describe("submitting", () => {
  it("announces the order and asks payments to take the money", () => {
    spec.given(aCollectionOrder).when(submit).then(submitted(), takePayment());
  });

  it("announces nothing new for an order already submitted", () => {
    spec.given(aCollectionOrder, submitted(), takePayment()).when(submit).then();
  });
});

describe("payment", () => {
  it("confirms the order when its payment is taken, carrying the items, fee and total (state transfer)", () => {
    spec
      .given(aDeliveryOrder, submitted(delivery), takePayment(delivery))
      .when(react(paymentTaken))
      .then(confirmed(delivery));
  });

  it("confirms an order once, however often its payment is reported", () => {
    spec
      .given(aCollectionOrder, ...paid)
      .when(react(paymentTaken))
      .then();
  });

  it("cancels the order with the payment's reason when the card is declined", () => {
    spec
      .given(aCollectionOrder, submitted(), takePayment())
      .when(react(paymentFailed))
      .then(cancelled("payment failed: card declined"));
  });

  it("gives back a payment that arrives after the order was cancelled, saying why", () => {
    const { state } = spec
      .given(aCollectionOrder, submitted(), takePayment(), cancelled("payment timed out"))
      .when(react(paymentTaken))
      .then(refundPayment("the order was cancelled (payment timed out) before its payment arrived"));
    expect(state.payment).toBe("refund-requested");
  });

  it("records the refund when payments reports it", () => {
    const state = stateAfter(aCollectionOrder, ...paid, cancelled("x"), refundPayment("x"), paymentRefunded);
    expect(state.payment).toBe("refunded");
  });
});

describe("the payment deadline", () => {
  it("does nothing before the deadline", () => {
    spec
      .given(aCollectionOrder, submitted(), takePayment())
      .when(paymentDeadlineAt(DEADLINE - 1))
      .then();
  });

  it("cancels an order still waiting for its payment at the deadline", () => {
    spec
      .given(aCollectionOrder, submitted(), takePayment())
      .when(paymentDeadlineAt(DEADLINE))
      .then(
        cancelled("payment timed out", new Date(DEADLINE).toISOString()),
        voidPayment("payment timed out"),
      );
  });

  it("leaves a paid or failed order alone, and stops waking it", () => {
    spec
      .given(aCollectionOrder, ...paid)
      .when(paymentDeadlineAt(DEADLINE + 1))
      .then();
    spec
      .given(aCollectionOrder, submitted(), takePayment(), paymentFailed)
      .when(paymentDeadlineAt(DEADLINE + 1))
      .then();
    expect(nextDeadline(stateAfter(aCollectionOrder, submitted(), takePayment()))).toBe(DEADLINE);
    expect(nextDeadline(stateAfter(aCollectionOrder, ...paid))).toBeUndefined();
  });
});

describe("the customer cancelling", () => {
  it("cancels an order not yet paid and voids its payment: the customer is never charged", () => {
    const { state } = spec
      .given(aCollectionOrder, submitted(), takePayment())
      .when(cancelBy(customerId))
      .then(cancelled("cancelled by the customer"), voidPayment("cancelled by the customer"));
    expect(state.payment).toBe("void-requested");
    expect(evolve(state, paymentVoided).payment).toBe("voided");
  });

  it("leaves the money to payments when the card answered before the void arrived: refunded once, by payments", () => {
    const voiding = [
      submitted(),
      takePayment(),
      cancelled("cancelled by the customer"),
      voidPayment("cancelled by the customer"),
    ];
    const { state } = spec
      .given(aCollectionOrder, ...voiding)
      .when(react(paymentTaken))
      .then();
    expect(state.payment).toBe("void-requested");
    expect(evolve(state, paymentRefunded).payment).toBe("refunded");
  });

  it("does not void a payment that failed", () => {
    spec
      .given(aCollectionOrder, submitted(), takePayment(), paymentFailed)
      .when(paymentDeadlineAt(DEADLINE + 1))
      .then();
  });

  it("cancels a confirmed order and refunds its payment", () => {
    spec
      .given(aCollectionOrder, ...paid)
      .when(cancelBy(customerId))
      .then(cancelled("cancelled by the customer"), refundPayment("cancelled by the customer"));
  });

  it("is refused once the kitchen has started preparing", () => {
    spec
      .given(aCollectionOrder, ...paid, preparationStarted)
      .when(cancelBy(customerId))
      .thenRejected(409, /preparing: it can no longer be cancelled/);
  });

  it("is a repeat with nothing new for an order already cancelled", () => {
    spec
      .given(aCollectionOrder, submitted(), takePayment(), cancelled("cancelled by the customer"))
      .when(cancelBy(customerId))
      .then();
  });

  it("does not let another customer learn the order exists", () => {
    spec
      .given(aCollectionOrder, ...paid)
      .when(cancelBy("mallory"))
      .thenRejected(404, "No such order for this customer.");
  });
});

describe("the kitchen withdrawing the ticket for the customer (its cancel's own record may be lost)", () => {
  const withdrawn = e("com.plantbasedpizza.kitchen.ticket-withdrawn.v1", {
    orderId,
    ticketId: "ticket-1",
    reason: "cancelled by the customer",
    withdrawnAt: at,
  });

  it("cancels a paid order and refunds it", () => {
    spec
      .given(aCollectionOrder, ...paid)
      .when(react(withdrawn))
      .then(cancelled("cancelled by the customer"), refundPayment("cancelled by the customer"));
  });

  it("cancels an order still waiting for its payment and voids it", () => {
    spec
      .given(aCollectionOrder, submitted(), takePayment())
      .when(react(withdrawn))
      .then(cancelled("cancelled by the customer"), voidPayment("cancelled by the customer"));
  });

  it("does nothing more when the cancel was already recorded", () => {
    spec
      .given(
        aCollectionOrder,
        ...paid,
        cancelled("cancelled by the customer"),
        refundPayment("cancelled by the customer"),
      )
      .when(react(withdrawn))
      .then();
  });
});

describe("the kitchen, the counter and the driver", () => {
  it("sends a quality-checked collection order to the counter", () => {
    spec
      .given(aCollectionOrder, ...paid, preparationStarted, pizzaBaked)
      .when(react(qualityChecked))
      .then(readyForCollection);
  });

  it("sends a quality-checked delivery order to delivery, with the address id only", () => {
    spec
      .given(
        aDeliveryOrder,
        submitted(delivery),
        takePayment(delivery),
        paymentTaken,
        confirmed(delivery),
        preparationStarted,
        pizzaBaked,
      )
      .when(react(qualityChecked))
      .then(
        e("com.plantbasedpizza.order.ready-for-delivery.v1", {
          orderId,
          customerId,
          deliveryAddressId: "address-7",
        }),
      );
  });

  it("sends an order out of the kitchen once, even if the check is reported again", () => {
    spec
      .given(aCollectionOrder, ...paid, preparationStarted, pizzaBaked, qualityChecked, readyForCollection)
      .when(react(qualityChecked))
      .then();
  });

  it("completes the order when the customer collects it, or the driver delivers it, once", () => {
    const ready = [...paid, preparationStarted, pizzaBaked, qualityChecked, readyForCollection];
    spec
      .given(aCollectionOrder, ...ready)
      .when(react(collectedAtCounter))
      .then(completed());
    spec
      .given(aCollectionOrder, ...ready, completed())
      .when(react(collectedAtCounter))
      .then();
    spec
      .given(aDeliveryOrder, submitted(delivery), takePayment(delivery), cancelled("x"))
      .when(react(delivered))
      .then();
  });

  it("never moves an order backwards, whatever order the kitchen's events arrive in", () => {
    const kitchen = [preparationStarted, pizzaBaked, qualityChecked];
    const orders = kitchen.flatMap((a) =>
      kitchen
        .filter((b) => b !== a)
        .flatMap((b) => kitchen.filter((c) => c !== a && c !== b).map((c) => [a, b, c])),
    );
    expect(orders).toHaveLength(6);
    for (const arrival of orders)
      expect(stateAfter(aCollectionOrder, ...paid, ...arrival).status).toBe("quality-checked");
    expect(stateAfter(aCollectionOrder, ...paid, cancelled("x"), preparationStarted).status).toBe(
      "cancelled",
    );
  });
});

describe("a delivery order placed before orders knows its address (eventually consistent, never the customer's error)", () => {
  const ADDRESS_DEADLINE = Date.parse("2030-06-01T12:01:00.000Z");
  // Placed waiting for its address: payments' deadline is its whole timeout after the address deadline.
  const waiting = placed(
    { ...delivery, paymentDeadline: ADDRESS_DEADLINE + 30_000 },
    { cardToken: "tok_visa", until: ADDRESS_DEADLINE },
  );
  const addressKnown = (addressId = "address-7") => ({ type: "address-known", addressId, at }) as const;
  const addressDeadlineAt = (time: number) =>
    ({ type: "address-deadline", at: new Date(time).toISOString() }) as const;

  it("is announced as any order, but asks for no money yet", () => {
    const { state } = spec.given(waiting).when(submit).then(submitted(delivery));
    expect(state.status).toBe("submitted");
    expect(state.payment).toBe("awaiting-address");
    expect(nextDeadline(state)).toBe(ADDRESS_DEADLINE);
  });

  it("asks for the money with the customer's card once its address is known, then waits for the payment", () => {
    const { state } = spec
      .given(waiting, submitted(delivery))
      .when(addressKnown())
      .then(takePayment(delivery));
    expect(state.payment).toBe("pending");
    expect(state.awaitingAddress).toBeUndefined();
    expect(nextDeadline(state)).toBe(ADDRESS_DEADLINE + 30_000);
    spec
      .given(waiting, submitted(delivery), takePayment(delivery))
      .when(react(paymentTaken))
      .then(confirmed(delivery));
  });

  it("asks for the money once, however often the address is reported", () => {
    spec.given(waiting, submitted(delivery), takePayment(delivery)).when(addressKnown()).then();
  });

  it("goes on only for its own address", () => {
    spec.given(waiting, submitted(delivery)).when(addressKnown("address-8")).then();
  });

  it("waits until its address deadline, and is not cancelled by the payment deadline meanwhile", () => {
    spec
      .given(waiting, submitted(delivery))
      .when(addressDeadlineAt(ADDRESS_DEADLINE - 1))
      .then();
    spec
      .given(waiting, submitted(delivery))
      .when(paymentDeadlineAt(ADDRESS_DEADLINE + 30_000))
      .then();
  });

  it("is cancelled when its address has not arrived by the deadline, with nothing to void", () => {
    const { state } = spec
      .given(waiting, submitted(delivery))
      .when(addressDeadlineAt(ADDRESS_DEADLINE))
      .then(cancelled(DELIVERY_ADDRESS_UNKNOWN, new Date(ADDRESS_DEADLINE).toISOString()));
    expect(state.cancellation).toEqual({ reason: "delivery address unknown" });
    expect(state.payment).toBe("not-requested");
    expect(nextDeadline(state)).toBeUndefined();
    // The address arriving after that asks for nothing.
    spec.given(waiting, submitted(delivery), cancelled(DELIVERY_ADDRESS_UNKNOWN)).when(addressKnown()).then();
  });

  it("leaves an order whose address arrived to its payment deadline", () => {
    spec
      .given(waiting, submitted(delivery), takePayment(delivery))
      .when(addressDeadlineAt(ADDRESS_DEADLINE))
      .then();
  });

  it("lets the customer cancel it, with nothing to void", () => {
    const { state } = spec
      .given(waiting, submitted(delivery))
      .when(cancelBy(customerId))
      .then(cancelled("cancelled by the customer"));
    expect(state.payment).toBe("not-requested");
  });
});
