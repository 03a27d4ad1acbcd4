import { describe, expect, it } from "vitest";
import { z } from "zod";
import { compareSchemas } from "../../scripts/contract/compatibility";
import { contractFor } from "../../scripts/contract/published";
import { Fulfilment, OrderLine, TaxedOrderLine } from "../../shared/events/catalog/orders";
import { Money, TaxedMoney, TaxRate } from "../../shared/events/catalog/money";
import { AddressAddedV1 } from "../../shared/events/catalog/customers";
import { PointsAwardedV1 } from "../../shared/events/catalog/loyalty";
import { PaymentTakenV1 } from "../../shared/events/catalog/payments";
import {
  OrderCancelledV1,
  OrderCompletedV1,
  OrderConfirmedV1,
  OrderConfirmedV2,
} from "../../shared/events/catalog/orders";
import { registry } from "../../shared/events/registry";
import { expectBreaking, expectPasses, gate, subscribersOf } from "./gate-support";

/**
 * Real edits to the real registry's schemas, each checked by the gate against a snapshot released from
 * the registry as it is: the breaking ones fail, naming the type and version, the field, the change and
 * the subscribers; the compatible ones pass.
 */
const PAYMENT_TAKEN = "com.plantbasedpizza.payment.taken.v1";
const COMPLETED_V1 = "com.plantbasedpizza.order.completed.v1";
const CONFIRMED_V1 = "com.plantbasedpizza.order.confirmed.v1";
const CONFIRMED_V2 = "com.plantbasedpizza.order.confirmed.v2";
const CANCELLED = "com.plantbasedpizza.order.cancelled.v1";
const ADDRESS_ADDED = "com.plantbasedpizza.customer.address-added.v1";
const POINTS_AWARDED = "com.plantbasedpizza.loyalty.points-awarded.v1";

describe("the talk's change: a value's number became an object", () => {
  it("fails, naming the event, the field, was/now, its subscribers and the way forward", () => {
    const edited = PaymentTakenV1.extend({
      amount: Money.extend({ amount: z.object({ value: z.number().int(), scale: z.number().int() }) }),
    });
    const failure = expectBreaking(gate({ after: { [PAYMENT_TAKEN]: edited } }), {
      type: PAYMENT_TAKEN,
      path: "data.amount.amount",
      change: "type changed",
      was: "integer",
      now: "object",
    });
    // Orders reads payment.taken; it would have dead-lettered every payment.
    expect(failure.subscribers).toContain("orders");
    expect(failure.message).toContain("publish it as com.plantbasedpizza.payment.taken.v2 beside v1");
    expect(failure.message).toContain("new events may fail old readers, and events already published");
  });

  it("fails when v1's total becomes v2's { net, tax, gross } in place (what RFC 0001 ships as v2 instead)", () => {
    const result = gate({ after: { [COMPLETED_V1]: OrderCompletedV1.extend({ total: TaxedMoney }) } });
    const removed = expectBreaking(result, {
      type: COMPLETED_V1,
      path: "data.total.amount",
      change: "required field removed",
      was: "required integer",
      now: "absent",
    });
    expect(removed.subscribers).toEqual(["loyalty"]);
    expect(removed.message).toContain("removing a field is safe only when it was optional");
    expectBreaking(result, { type: COMPLETED_V1, path: "data.total.net", change: "required field added" });
    // v2 exists: the next major is v3.
    expect(removed.message).toContain("publish it as com.plantbasedpizza.order.completed.v3 beside v1");
  });
});

describe("breaking edits", () => {
  it("a required field removed", () => {
    const failure = expectBreaking(
      gate({ after: { [COMPLETED_V1]: OrderCompletedV1.omit({ fulfilment: true }) } }),
      { type: COMPLETED_V1, path: "data.fulfilment", change: "required field removed", now: "absent" },
    );
    expect(failure.message).toContain("looser: events valid under the new schema may be rejected");
  });

  it("a new required field", () => {
    const failure = expectBreaking(
      gate({ after: { [CANCELLED]: OrderCancelledV1.extend({ cancelledBy: z.string().min(1) }) } }),
      { type: CANCELLED, path: "data.cancelledBy", change: "required field added", was: "absent" },
    );
    expect(failure.message).toContain("a new field is safe only as optional");
    expect(failure.message).toContain("stricter: events valid under the old schema (already in queues");
    expect(failure.subscribers).toEqual(["kitchen"]);
  });

  it("an enum without one of its values", () => {
    expectBreaking(
      gate({ after: { [COMPLETED_V1]: OrderCompletedV1.extend({ fulfilment: z.enum(["delivery"]) }) } }),
      {
        type: COMPLETED_V1,
        path: "data.fulfilment",
        change: 'enum value removed: "collection"',
        was: '["collection", "delivery"]',
        now: '["delivery"]',
      },
    );
  });

  it("an enum with a new value, unless it is extensible", () => {
    const failure = expectBreaking(
      gate({
        after: {
          [COMPLETED_V1]: OrderCompletedV1.extend({ fulfilment: z.enum([...Fulfilment.options, "drone"]) }),
        },
      }),
      { type: COMPLETED_V1, path: "data.fulfilment", change: 'enum value added: "drone"' },
    );
    expect(failure.message).toContain('z.string().meta({ "x-extensible-enum": [...] })');
  });

  it("a z.enum marked x-extensible-enum: true is still closed for its readers", () => {
    const marked = (values: [string, ...string[]]) =>
      OrderCompletedV1.extend({ fulfilment: z.enum(values).meta({ "x-extensible-enum": true }) });
    const failure = expectBreaking(
      gate({
        before: { [COMPLETED_V1]: marked(["collection", "delivery"]) },
        after: { [COMPLETED_V1]: marked(["collection", "delivery", "drone"]) },
      }),
      { type: COMPLETED_V1, path: "data.fulfilment", change: 'enum value added: "drone"' },
    );
    expect(failure.message).toContain("`x-extensible-enum: true` on a z.enum does not help");
  });

  it("a lowered max", () => {
    const edited = OrderConfirmedV2.extend({
      items: z.array(TaxedOrderLine.extend({ taxRateBasisPoints: TaxRate.max(5000) })).min(1),
    });
    expectBreaking(gate({ after: { [CONFIRMED_V2]: edited } }), {
      type: CONFIRMED_V2,
      path: "data.items[].taxRateBasisPoints",
      change: "maximum lowered",
      was: "≤ 10000",
      now: "≤ 5000",
    });
  });

  it("a raised min (minLength, minItems, minimum)", () => {
    const result = gate({
      after: {
        [ADDRESS_ADDED]: AddressAddedV1.extend({ line1: z.string().min(3) }),
        [CONFIRMED_V1]: OrderConfirmedV1.extend({
          items: z.array(OrderLine.extend({ quantity: z.number().int().min(2) })).min(2),
        }),
      },
    });
    const line1 = expectBreaking(result, {
      type: ADDRESS_ADDED,
      path: "data.line1",
      change: "minLength raised",
      was: "1",
      now: "3",
    });
    expect(line1.subscribers).toEqual(["delivery", "orders"]);
    expectBreaking(result, {
      type: CONFIRMED_V1,
      path: "data.items",
      change: "minItems raised",
      was: "1",
      now: "2",
    });
    expectBreaking(result, {
      type: CONFIRMED_V1,
      path: "data.items[].quantity",
      change: "minimum raised",
      was: "≥ 1",
      now: "≥ 2",
    });
  });

  it("a raised maxLength: looser, and readers validating with the old schema would dead-letter", () => {
    const failure = expectBreaking(
      gate({
        before: { [ADDRESS_ADDED]: AddressAddedV1.extend({ postcode: z.string().min(1).max(10) }) },
        after: { [ADDRESS_ADDED]: AddressAddedV1.extend({ postcode: z.string().min(1).max(12) }) },
      }),
      { type: ADDRESS_ADDED, path: "data.postcode", change: "maxLength raised", was: "10", now: "12" },
    );
    expect(failure.message).toContain("readers still validating with the old one");
  });

  it("a new pattern, a new format", () => {
    const result = gate({
      after: {
        [CANCELLED]: OrderCancelledV1.extend({
          customerId: z
            .string()
            .min(1)
            .regex(/^customer-/),
        }),
        [ADDRESS_ADDED]: AddressAddedV1.extend({ addressId: z.uuid() }),
      },
    });
    expectBreaking(result, {
      type: CANCELLED,
      path: "data.customerId",
      change: "pattern added",
      was: "absent",
    });
    expectBreaking(result, {
      type: ADDRESS_ADDED,
      path: "data.addressId",
      change: "format added",
      now: '"uuid"',
    });
  });

  it("optional made required, and required made optional", () => {
    const result = gate({
      after: {
        [CONFIRMED_V1]: OrderConfirmedV1.extend({ deliveryAddressId: z.string().min(1) }),
        [COMPLETED_V1]: OrderCompletedV1.extend({ total: Money.optional() }),
      },
    });
    expectBreaking(result, {
      type: CONFIRMED_V1,
      path: "data.deliveryAddressId",
      change: "optional field made required",
      was: "optional string",
      now: "required string",
    });
    expectBreaking(result, {
      type: COMPLETED_V1,
      path: "data.total",
      change: "required field made optional",
    });
  });

  it("number made integer", () => {
    expectBreaking(
      gate({
        before: { [POINTS_AWARDED]: PointsAwardedV1.extend({ balance: z.number().nonnegative() }) },
        after: { [POINTS_AWARDED]: PointsAwardedV1 },
      }),
      { type: POINTS_AWARDED, path: "data.balance", change: "type narrowed", was: "number", now: "integer" },
    );
  });

  it("a field made nullable", () => {
    expectBreaking(
      gate({ after: { [PAYMENT_TAKEN]: PaymentTakenV1.extend({ amount: Money.nullable() }) } }),
      {
        type: PAYMENT_TAKEN,
        path: "data.amount",
        change: "alternatives added",
      },
    );
  });
});

describe("compatible edits pass", () => {
  it("a new optional field (producers are closed, readers open: no old event has it, old readers ignore it)", () => {
    const result = gate({
      after: { [COMPLETED_V1]: OrderCompletedV1.extend({ note: z.string().max(200).optional() }) },
    });
    expectPasses(result);
    const report = result.reports.find((r) => r.kind === "compatible-change" && r.path === "data.note");
    expect(report?.message).toContain("optional field added");
    // Release records it.
    const released = result.release!.snapshot[COMPLETED_V1]!;
    expect(JSON.stringify(released)).toContain('"note"');
  });

  it("an optional field removed", () => {
    expectPasses(gate({ after: { [CONFIRMED_V1]: OrderConfirmedV1.omit({ deliveryAddressId: true }) } }));
  });

  it("a new value in an extensible enum (z.string() with the known values in x-extensible-enum)", () => {
    const channel = (values: string[]) =>
      OrderCompletedV1.extend({
        channel: z.string().min(1).meta({ "x-extensible-enum": values }).optional(),
      });
    const result = gate({
      before: { [COMPLETED_V1]: channel(["app", "web"]) },
      after: { [COMPLETED_V1]: channel(["app", "web", "phone"]) },
    });
    expectPasses(result);
    expect(result.reports.map((r) => r.message).join("\n")).toContain('extensible enum value added: "phone"');
  });

  it("descriptions, and constraints written another way (.positive() is .min(1) on integers)", () => {
    expectPasses(
      gate({
        after: {
          [CONFIRMED_V1]: OrderConfirmedV1.extend({
            items: z.array(OrderLine.extend({ quantity: z.number().int().min(1) })).min(1),
            customerId: z.string().min(1).describe("the customer's id"),
          }),
        },
      }),
    );
  });

  it("nothing changed: nothing reported but the subscribers still on deprecated versions", () => {
    const result = gate();
    expectPasses(result);
    expect(result.reports.filter((r) => r.kind !== "deprecated-in-use")).toEqual([]);
  });
});

describe("the comparator on its own", () => {
  const schemaOf = (type: keyof typeof registry) => contractFor(type, registry[type], []);

  it("finds no change between a published version and itself", () => {
    for (const type of Object.keys(registry) as (keyof typeof registry)[])
      expect(compareSchemas(schemaOf(type), schemaOf(type))).toEqual([]);
  });

  it("sees v1 -> v2 of order confirmed as breaking (why RFC 0001 made a v2)", () => {
    const changes = compareSchemas(schemaOf(CONFIRMED_V1), schemaOf(CONFIRMED_V2));
    expect(changes.filter((c) => c.direction !== "compatible").map((c) => `${c.path}: ${c.change}`)).toEqual(
      expect.arrayContaining([
        "data.items[].taxRateBasisPoints: required field added",
        "data.total.amount: required field removed",
        "data.total.gross: required field added",
      ]),
    );
  });

  it("knows the subscribers the messages name", () => {
    expect(subscribersOf(COMPLETED_V1)).toEqual(["loyalty"]);
    expect(subscribersOf(PAYMENT_TAKEN)).toEqual(["orders"]);
  });
});
