import { CloudEvent } from "cloudevents";
import { describe, expect, it } from "vitest";
import { includedTax, sumTaxed } from "../../shared/events/catalog/money";
import { createEvent, publishedVersions, readEvent, type AnyPizzaEvent } from "../../shared/events/envelope";
import {
  deprecationOf,
  downgrades,
  eventTypes,
  isPastSunset,
  isRegistered,
  registry,
  versionOf,
  type EventType,
} from "../../shared/events/registry";
import { startTrace } from "../../shared/events/trace";
import { exampleData } from "../support/example-events";

/**
 * Versions side by side: deprecation on the envelope, registered downgrades, the migration window and
 * the sunset, with a test clock (the registry's real dates, so the window is the one that ships).
 */
const CONFIRMED_V1 = "com.plantbasedpizza.order.confirmed.v1";
const CONFIRMED_V2 = "com.plantbasedpizza.order.confirmed.v2";
const COMPLETED_V1 = "com.plantbasedpizza.order.completed.v1";
const COMPLETED_V2 = "com.plantbasedpizza.order.completed.v2";
const cause = {
  traceparent: startTrace(),
  causationid: "cmd-1",
  subject: "7a1e0d0e-4b5f-4c8e-9d2a-1b3c4d5e6f70",
};

const sunsetOf = (type: EventType) => new Date(deprecationOf(type)!.sunset);
const beforeSunset = new Date(sunsetOf(CONFIRMED_V1).getTime() - 1);
const atSunset = sunsetOf(CONFIRMED_V1);
const strictlyValid = (event: AnyPizzaEvent) => new CloudEvent<unknown>({ ...event }, true).validate();

describe("a deprecated version", () => {
  it("says so on every event, with the CloudEvents deprecation extension, and the SDK accepts it", () => {
    const event = createEvent(CONFIRMED_V1, exampleData(CONFIRMED_V1), cause, beforeSunset);
    expect(event).toMatchObject({
      deprecated: true,
      deprecationfrom: "2026-11-24T00:00:00Z",
      deprecationsunset: "2027-03-31T00:00:00Z",
      deprecationmigration: "https://plantbasedpizza.dev/rfcs/0001-order-prices-with-tax",
    });
    expect(strictlyValid(event as AnyPizzaEvent)).toBe(true);
    // Consumers see it too: the anti-corruption layer keeps the attributes.
    expect(readEvent(JSON.parse(JSON.stringify(event)))).toEqual({ ok: true, event });
  });

  it("is not marked on an active version", () => {
    const event = createEvent(CONFIRMED_V2, exampleData(CONFIRMED_V2), cause, beforeSunset);
    expect(event.deprecated).toBeUndefined();
    expect(event.deprecationsunset).toBeUndefined();
  });

  it("can no longer be built once past its sunset", () => {
    expect(isPastSunset(CONFIRMED_V1, beforeSunset)).toBe(false);
    expect(isPastSunset(CONFIRMED_V1, atSunset)).toBe(true);
    expect(() => createEvent(CONFIRMED_V1, exampleData(CONFIRMED_V1), cause, atSunset)).toThrow(
      "com.plantbasedpizza.order.confirmed.v1 is past its sunset: publish com.plantbasedpizza.order.confirmed.v2",
    );
  });

  it("names a registered, newer version of the same event to move to, and a sunset after it was deprecated", () => {
    const deprecated = eventTypes.filter((t) => deprecationOf(t));
    expect(deprecated.sort()).toEqual([COMPLETED_V1, CONFIRMED_V1]);
    for (const type of deprecated) {
      const d = deprecationOf(type)!;
      expect(isRegistered(d.replacedBy), type).toBe(true);
      expect(versionOf(d.replacedBy).family).toBe(versionOf(type).family);
      expect(versionOf(d.replacedBy).version).toBeGreaterThan(versionOf(type).version);
      expect(Date.parse(d.sunset)).toBeGreaterThan(Date.parse(d.since));
      expect(new URL(d.migration).protocol).toBe("https:");
    }
  });
});

describe("registered downgrades", () => {
  it.each(downgrades.map((d) => [d.from, d.to, d] as const))("derive %s into a valid %s", (_from, to, d) => {
    const derived = d.derive(exampleData(d.from));
    expect(registry[to].schema.safeParse(derived).success).toBe(true);
  });

  it("give v1 readers the tax-inclusive amounts they always had", () => {
    const v2 = exampleData(CONFIRMED_V2);
    const [toV1] = downgrades.filter((d) => d.from === CONFIRMED_V2);
    expect(toV1!.derive(v2)).toEqual({
      orderId: v2.orderId,
      customerId: v2.customerId,
      fulfilment: v2.fulfilment,
      deliveryAddressId: v2.deliveryAddressId,
      items: v2.items.map(({ recipeId, name, quantity, unitPrice }) => ({
        recipeId,
        name,
        quantity,
        unitPrice,
      })),
      deliveryFee: v2.deliveryFee!.total.gross,
      total: v2.total.gross,
      confirmedAt: v2.confirmedAt,
    });
  });

  it("exist for every deprecated version, from the version replacing it", () => {
    for (const type of eventTypes.filter((t) => deprecationOf(t))) {
      expect(downgrades.filter((d) => d.to === type).map((d) => d.from)).toEqual([
        deprecationOf(type)!.replacedBy,
      ]);
    }
  });
});

describe("the migration window", () => {
  const v2 = () => createEvent(COMPLETED_V2, exampleData(COMPLETED_V2), cause, beforeSunset) as AnyPizzaEvent;

  it("publishes the older version beside the new one: same fact, trace and cause, its own id, both strictly valid", () => {
    const event = v2();
    const published = publishedVersions(event, beforeSunset);
    expect(published.map((e) => e.type)).toEqual([COMPLETED_V2, COMPLETED_V1]);
    const v1 = published[1]!;
    expect(v1).toMatchObject({
      traceparent: event.traceparent,
      causationid: event.causationid,
      subject: event.subject,
      deprecated: true,
      data: { ...exampleData(COMPLETED_V1), total: exampleData(COMPLETED_V2).total.gross },
    });
    expect(v1.id).not.toBe(event.id);
    for (const e of published) expect(strictlyValid(e), e.type).toBe(true);
  });

  it("ends at the sunset: from then on only the new version is published", () => {
    const event = createEvent(COMPLETED_V2, exampleData(COMPLETED_V2), cause, atSunset) as AnyPizzaEvent;
    expect(publishedVersions(event, atSunset)).toEqual([event]);
  });

  it("leaves events without an older version alone", () => {
    const cancelled = createEvent(
      "com.plantbasedpizza.order.cancelled.v1",
      exampleData("com.plantbasedpizza.order.cancelled.v1"),
      cause,
    ) as AnyPizzaEvent;
    expect(publishedVersions(cancelled)).toEqual([cancelled]);
  });
});

describe("prices with tax", () => {
  it("split a tax-inclusive price into net and tax that add up, at each country's rate", () => {
    const gbp = (amount: number) => ({ amount, currency: "GBP" });
    expect(includedTax(gbp(1150), 2000)).toEqual({ net: gbp(958), tax: gbp(192), gross: gbp(1150) });
    expect(includedTax({ amount: 1000, currency: "EUR" }, 550).net.amount).toBe(948); // France, 5.5%
    expect(includedTax(gbp(999), 0)).toEqual({ net: gbp(999), tax: gbp(0), gross: gbp(999) });
    for (let amount = 0; amount < 5000; amount += 7) {
      const t = includedTax(gbp(amount), 2000);
      expect(t.net.amount + t.tax.amount).toBe(amount);
    }
    expect(sumTaxed([includedTax(gbp(1150), 2000), includedTax(gbp(300), 2000)], "GBP")).toEqual({
      net: gbp(1208),
      tax: gbp(242),
      gross: gbp(1450),
    });
  });
});
