import { describe, expect, it } from "vitest";
import { z } from "zod";
import { typesNamedIn } from "../../scripts/contract/emitted";
import { checkContracts } from "../../scripts/contract/gate";
import { contractsFor } from "../../scripts/contract/published";
import { OrderCancelledV1 } from "../../shared/events/catalog/orders";
import { deprecationOf, registry } from "../../shared/events/registry";
import { subscriptions } from "../../workers/router/routing-table";
import { AFTER_SUNSET, EVERY_TYPE, expectPasses, gate, NOW, registryWith } from "./gate-support";

/** What the gate checks besides the schemas: who emits what, who reads what, and for how long. */
const COMPLETED_V1 = "com.plantbasedpizza.order.completed.v1";
const COMPLETED_V2 = "com.plantbasedpizza.order.completed.v2";
const CONFIRMED_V1 = "com.plantbasedpizza.order.confirmed.v1";
const PIZZA_BAKED = "com.plantbasedpizza.kitchen.pizza-baked.v1";
const PAYMENT_TAKEN = "com.plantbasedpizza.payment.taken.v1";
const PAYMENT_FAILED = "com.plantbasedpizza.payment.failed.v1";
const without = (...types: string[]) => new Set([...EVERY_TYPE].filter((t) => !types.includes(t)));
const kinds = (findings: readonly { kind: string }[]) => findings.map((f) => f.kind);

describe("b. subscriptions nobody feeds", () => {
  it("fails on a subscription to a type its producer never emits, naming subscriber, type and producer", () => {
    const result = gate({ emitted: without(PIZZA_BAKED) });
    expect(kinds(result.failures)).toEqual(["not-emitted"]);
    const [failure] = result.failures;
    expect(failure!.type).toBe(PIZZA_BAKED);
    expect(failure!.subscribers).toEqual(["orders"]);
    expect(failure!.message).toContain(
      `orders subscribes to ${PIZZA_BAKED} (kitchen.pizza-baked, version 1)`,
    );
    expect(failure!.message).toContain(
      "its producer, kitchen, never names it in workers/kitchen/ or durable-objects/kitchen/",
    );
  });

  it("fails on the talk's bug: a subscription to a kitchen event name the kitchen never had", () => {
    const listener = {
      subscriber: "orders",
      events: { "com.plantbasedpizza.kitchen.order-prepared.v1": "x" },
    };
    const result = gate({ subscriptions: [...subscriptions, listener] });
    expect(kinds(result.failures)).toContain("not-emitted");
    expect(result.failures.map((f) => f.message).join("\n")).toContain(
      "orders subscribes to com.plantbasedpizza.kitchen.order-prepared.v1, which is not in the registry",
    );
  });

  it("counts a version derived by a registered downgrade from an emitted one as emitted", () => {
    // The producer names only v2; loyalty's completed.v1 is derived from it.
    expectPasses(gate({ emitted: without(COMPLETED_V1, CONFIRMED_V1) }));
    // Nobody emits v2 either: nothing derives v1.
    const result = gate({ emitted: without(COMPLETED_V1, COMPLETED_V2) });
    expect(result.failures.find((f) => f.type === COMPLETED_V1)?.message).toContain(
      "loyalty subscribes to com.plantbasedpizza.order.completed.v1",
    );
  });

  it("finds a type's literal in code, not in comment lines", () => {
    const code = [
      "/** Publishes `com.plantbasedpizza.kitchen.pizza-baked.v1` once baked. */",
      '// and "com.plantbasedpizza.kitchen.quality-checked.v1" later',
      'return { type: "com.plantbasedpizza.kitchen.preparation-started.v1", data };',
    ].join("\n");
    expect([...typesNamedIn([code], Object.keys(registry))]).toEqual([
      "com.plantbasedpizza.kitchen.preparation-started.v1",
    ]);
  });
});

describe("c. emitted but not published", () => {
  it("fails on an emitted type with no published schema: run schemas:release", () => {
    const result = gate({ unpublished: [PAYMENT_TAKEN] });
    expect(kinds(result.failures)).toEqual(["unpublished"]);
    expect(result.failures[0]!.message).toContain(
      `${PAYMENT_TAKEN} (payment.taken, version 1) is emitted by payments`,
    );
    expect(result.failures[0]!.message).toContain("run `npm run schemas:release`");
    // Release may record it (that is the fix).
    expect(result.release?.snapshot[PAYMENT_TAKEN]).toBeDefined();
  });

  it("only reports a registered version nobody emits yet", () => {
    const result = gate({
      unpublished: [COMPLETED_V2],
      emitted: without(COMPLETED_V2),
      // loyalty's v1 is then emitted directly (the producer before its move to v2).
    });
    expect(result.failures).toEqual([]);
    expect(result.reports.find((r) => r.type === COMPLETED_V2)?.kind).toBe("not-emitted-yet");
  });
});

describe("d. subscriptions past their sunset", () => {
  it("fails when a subscription reads a version past its sunset, naming the replacement", () => {
    const result = gate({ now: AFTER_SUNSET });
    const failure = result.failures.find((f) => f.kind === "past-sunset" && f.type === COMPLETED_V1);
    expect(failure?.subscribers).toEqual(["loyalty"]);
    expect(failure?.message).toContain("loyalty subscribes to com.plantbasedpizza.order.completed.v1");
    expect(failure?.message).toContain("past its sunset (2027-03-31T00:00:00Z");
    expect(failure?.message).toContain(`move loyalty to ${COMPLETED_V2}`);
  });

  it("only reports a subscription on a deprecated version before its sunset", () => {
    const result = gate();
    expect(result.failures).toEqual([]);
    expect(
      result.reports.find((r) => r.kind === "deprecated-in-use" && r.type === COMPLETED_V1)?.message,
    ).toContain("loyalty still reads");
  });
});

describe("e. sunsets move later, never earlier", () => {
  const withSunset = (sunset: string) => ({
    [CONFIRMED_V1]: { deprecation: { ...deprecationOf(CONFIRMED_V1)!, sunset } },
  });

  it("fails when a sunset moved earlier than the published one, and release refuses it", () => {
    const result = gate({ after: withSunset("2027-01-31T00:00:00Z") });
    expect(kinds(result.failures)).toEqual(["sunset-shortened"]);
    expect(result.failures[0]!.message).toContain(
      "sunset moved earlier (was 2027-03-31T00:00:00Z, now 2027-01-31T00:00:00Z)",
    );
    expect(result.release).toBeUndefined();
  });

  it("passes, and reports, a sunset moved later", () => {
    const result = gate({ after: withSunset("2027-06-30T00:00:00Z") });
    expectPasses(result);
    expect(result.reports.find((r) => r.kind === "deprecation-changed")?.message).toContain(
      "sunset moved later: allowed",
    );
  });
});

describe("reported, not failed", () => {
  it("consumers added and removed since the snapshot", () => {
    const marketing = { subscriber: "marketing", events: { [COMPLETED_V1]: "thanks the customer" } };
    const result = gate({
      subscriptionsBefore: subscriptions,
      subscriptions: [...subscriptions.filter((s) => s.subscriber !== "loyalty"), marketing],
    });
    expect(result.failures).toEqual([]);
    const report = result.reports.find((r) => r.kind === "consumers-changed" && r.type === COMPLETED_V1);
    expect(report?.message).toContain("consumers added: marketing; removed: loyalty");
    // Release records the new consumers.
    expect(JSON.stringify(result.release!.snapshot[COMPLETED_V1])).toContain('"consumers":["marketing"]');
  });

  it("a producer added or removed", () => {
    const result = gate({ after: { [PAYMENT_TAKEN]: { producer: "billing" } } });
    expect(result.failures).toEqual([]);
    expect(result.reports.find((r) => r.kind === "producer-changed")?.message).toContain(
      "producer removed: payments; producer added: billing",
    );
  });
});

describe("the premises and the life of a version", () => {
  it("fails on a closed reader (z.strictObject), whose readers would reject every new optional field", () => {
    const result = gate({
      after: { "com.plantbasedpizza.order.cancelled.v1": z.strictObject(OrderCancelledV1.shape) },
    });
    expect(kinds(result.failures)).toEqual(["closed-reader"]);
    expect(result.failures[0]!.message).toContain("data is a closed object for its readers");
  });

  it("fails when a published version leaves the registry before its sunset", () => {
    const orders = subscriptions.find((s) => s.subscriber === "orders")!;
    const { [PAYMENT_FAILED]: _dropped, ...events } = orders.events;
    const result = gate({
      removed: [PAYMENT_FAILED],
      subscriptions: subscriptions.map((s) => (s === orders ? { ...orders, events } : s)),
      subscriptionsBefore: subscriptions,
    });
    expect(kinds(result.failures)).toEqual(["removed-before-sunset"]);
    expect(result.failures[0]!.message).toContain("without a deprecation and a sunset");
    expect(result.release).toBeUndefined();
  });

  it("lets release delete a version removed after its sunset", () => {
    const snapshot = contractsFor(registryWith(), subscriptions);
    const registryToday = registryWith({}, [CONFIRMED_V1]);
    const result = checkContracts({
      registry: {
        ...registryToday,
        downgrades: registryToday.downgrades.filter((d) => d.to !== CONFIRMED_V1),
      },
      subscriptions: subscriptions.filter((s) => !Object.hasOwn(s.events, CONFIRMED_V1)),
      emitted: EVERY_TYPE,
      snapshot,
      now: AFTER_SUNSET,
    });
    expect(kinds(result.failures)).not.toContain("removed-before-sunset");
    expect(result.release?.retired).toEqual([CONFIRMED_V1]);
  });

  it("takes `now` from its caller", () => {
    expect(gate({ now: NOW }).failures).toEqual([]);
  });
});
