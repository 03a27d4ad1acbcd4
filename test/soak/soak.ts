import { pizzaClient, uniqueId, type Reply } from "../support/pizza-client";
import { waitFor } from "../support/wait-for";

/**
 * The soak: many orders through the whole lifecycle, on a system running with faults on (FAULTS, see
 * shared/faults.ts), then a reconciliation of everything the business promises. Used by
 * test/e2e/soak.test.ts (300 orders in `npm test`) and `npm run soak -- --orders N` (any size).
 *
 * Each order follows a script that fixes its outcome, whatever the faults do on the way:
 *   collection, delivery   paid, cooked and collected or delivered by the simulated staff: completed
 *   cancelled              cancelled by the customer right after submitting: cancelled, never left charged
 *   declined               the card is declined: cancelled, nothing taken
 *   paid-late              the card answers after the payment deadline: cancelled at the deadline,
 *                          and the payment voided, or taken and refunded exactly once
 * A few events are poisoned on purpose (invalid, unknown type, forged source): the dead-letter queues
 * must hold exactly those at the end.
 */
export type Script = "collection" | "delivery" | "cancelled" | "declined" | "paid-late";

/** Twenty orders in a row: 6 collection, 6 delivery, 3 cancelled, 2 declined, 3 paid late. */
const MIX: Script[] = [
  ...Array<Script>(6).fill("collection"),
  ...Array<Script>(6).fill("delivery"),
  ...Array<Script>(3).fill("cancelled"),
  ...Array<Script>(2).fill("declined"),
  ...Array<Script>(3).fill("paid-late"),
];
export const scriptOf = (i: number): Script => MIX[(i * 7) % MIX.length]!;

const ORDERS_PER_CUSTOMER = 5;
const EVENT = "com.plantbasedpizza.";
const type = (name: string) => `${EVENT}${name}`;

export interface SoakOptions {
  baseUrl: string;
  orders: number;
  /** Orders submitted per second: the arrival rate the system must keep up with. */
  ratePerSecond: number;
  /** The system's PAYMENT_TIMEOUT_SECONDS: paid-late cards answer after it. */
  paymentTimeoutSeconds: number;
  /** How long everything may take to settle after the last order was submitted. */
  settleTimeoutMs: number;
  log?: (line: string) => void;
}

interface PlacedOrder {
  index: number;
  script: Script;
  orderId: string;
  customer: Customer;
}
interface Customer {
  id: string;
  token: string;
  addressId: string;
}
interface OrderView {
  status: string;
  total: { amount: number; currency: string };
  history: { status: string; eventType: string; eventId: string }[];
}
interface Settled extends PlacedOrder {
  order: OrderView;
  events: { id: string; type: string }[];
}

export interface SoakReport {
  /** What went wrong: empty when every promise held. */
  problems: string[];
  figures: [string, string | number][];
}

/** Runs `work` over `items`, at most `limit` at a time. */
async function inPool<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i]!);
      }
    }),
  );
  return results;
}

const isTerminal = (status: string) => status === "completed" || status === "cancelled";
const count = (events: { type: string }[], name: string) =>
  events.filter((e) => e.type === type(name)).length;
const points = (amountInPence: number) => Math.floor(amountInPence / 100);

/** Everything that must hold for one settled order, as problems (none when it holds). */
export function checkOrder(o: Settled): string[] {
  const problems: string[] = [];
  const say = (what: string) => problems.push(`${o.script} order ${o.orderId}: ${what}`);
  const expected = o.script === "collection" || o.script === "delivery" ? "completed" : "cancelled";
  if (o.order.status !== expected) say(`ended ${o.order.status}, its script says ${expected}`);

  // Each context applied each event once: no event id twice, and no business fact twice.
  const ids = o.events.map((e) => e.id);
  if (new Set(ids).size !== ids.length) say("an event applied twice");
  const types = o.events.map((e) => e.type);
  const twice = [...new Set(types)].filter((t) => types.indexOf(t) !== types.lastIndexOf(t));
  if (twice.length > 0) say(`the same fact twice: ${twice.join(", ")}`);
  const statuses = o.order.history.map((h) => h.status);
  if (new Set(statuses).size !== statuses.length) say(`a status twice: ${statuses.join(" > ")}`);

  // Money: never charged for an order not served, never charged twice, never refunded without a charge.
  const taken = count(o.events, "payment.taken.v1");
  const refunded = count(o.events, "payment.refunded.v1");
  const voided = count(o.events, "payment.voided.v1");
  const failed = count(o.events, "payment.failed.v1");
  if (expected === "completed" && (taken !== 1 || refunded + voided + failed !== 0))
    say(`completed with ${taken} taken, ${refunded} refunded, ${voided} voided, ${failed} failed`);
  if (expected === "cancelled" && taken !== refunded)
    say(`cancelled with ${taken} payment taken and ${refunded} refunded`);
  if (voided > 0 && taken > 0) say("both voided and taken");
  if (o.script === "declined" && (failed !== 1 || taken !== 0))
    say(`declined card: ${failed} failed, ${taken} taken`);
  // Every step of the work reached orders once, whatever order they came in (the status only moves
  // forward, so a step overtaken by a later one is in the events but not in the status history).
  const steps = STEPS[o.script] ?? [];
  const missing = steps.filter((step) => count(o.events, step) !== 1);
  if (missing.length > 0) say(`steps not applied exactly once: ${missing.join(", ")}`);
  return problems;
}

const KITCHEN = ["kitchen.preparation-started.v1", "kitchen.pizza-baked.v1", "kitchen.quality-checked.v1"];
/** What staff do to a completed order, as the events orders applies. */
const STEPS: Partial<Record<Script, string[]>> = {
  collection: [...KITCHEN, "collection.order-collected.v1"],
  delivery: [
    ...KITCHEN,
    "delivery.driver-assigned.v1",
    "delivery.order-collected-by-driver.v1",
    "delivery.order-delivered.v1",
  ],
};

/**
 * Settled: at its end, with its money settled (declined, voided, or refunded what was taken) and, for
 * a completed order, every step of the work heard of (a step can arrive after the order's last one).
 */
function settled(script: Script, order: OrderView, events: { type: string }[]): boolean {
  if (!isTerminal(order.status)) return false;
  if (order.status === "completed") return (STEPS[script] ?? []).every((step) => count(events, step) > 0);
  const taken = count(events, "payment.taken.v1");
  return (
    count(events, "payment.failed.v1") > 0 ||
    count(events, "payment.voided.v1") > 0 ||
    (taken > 0 && count(events, "payment.refunded.v1") >= taken)
  );
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const log = options.log ?? (() => {});
  const pizza = pizzaClient(options.baseUrl);
  const operator = await pizza.token(uniqueId("soak-operator"), "operator");
  const analyst = await pizza.token(uniqueId("soak-analyst"), "analyst");
  const startedAt = Date.now();
  const firstDay = new Date().toISOString().slice(0, 10);
  const problems: string[] = [];

  const { body: menu } = await pizza.call<{ recipes: { recipeId: string }[] }>("GET", "/menu");
  const recipes = menu.recipes.map((r) => r.recipeId);

  // Poison the bus on purpose: these, and only these, must end in a dead-letter queue.
  const poisoned = await poisonTheBus(pizza, operator);

  const customers = await inPool(
    Array.from({ length: Math.ceil(options.orders / ORDERS_PER_CUSTOMER) }, (_, i) => i),
    8,
    async (i): Promise<Customer> => {
      const id = uniqueId(`soak-customer-${i}`);
      const token = await pizza.token(id);
      const added = await pizza.addAddress(token, {
        line1: `${i + 1} Soak Street`,
        city: "Leeds",
        postcode: "LS1 4AP",
        country: "GB",
      });
      if (added.status !== 201)
        throw new Error(`adding an address: ${added.status} ${JSON.stringify(added.body)}`);
      return { id, token, addressId: added.body.addressId };
    },
  );
  log(
    `${customers.length} customers with an address; submitting ${options.orders} orders at ${options.ratePerSecond}/s`,
  );

  // Submit at a fixed arrival rate, each order on its own schedule, not waiting for the one before.
  const placing: Promise<PlacedOrder>[] = [];
  const submitStart = Date.now();
  for (let i = 0; i < options.orders; i++) {
    const due = submitStart + (i * 1000) / options.ratePerSecond;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait)); // pacing the arrivals, not synchronising
    placing.push(
      placeOrder(pizza, i, customers[i % customers.length]!, recipes, options.paymentTimeoutSeconds),
    );
  }
  const placed = await Promise.all(placing);
  const submitSeconds = (Date.now() - submitStart) / 1000;
  log(`submitted ${placed.length} orders in ${submitSeconds.toFixed(1)} s; waiting for every one to settle`);

  // Every order reaches its end and its money settles.
  const done = new Map<string, Settled>();
  try {
    await waitFor(
      "every order to reach its end, with its money settled",
      async () => {
        const open = placed.filter((p) => !done.has(p.orderId));
        await inPool(open, 16, async (p) => {
          const order = (await pizza.order(p.customer.token, p.orderId)) as Reply<OrderView>;
          if (order.status !== 200 || !isTerminal(order.body.status)) return;
          const events = (await pizza.orderEvents(p.customer.token, p.orderId)).body.events;
          if (settled(p.script, order.body, events)) done.set(p.orderId, { ...p, order: order.body, events });
        });
        log(`${done.size}/${placed.length} orders settled`);
        return done.size === placed.length ? true : undefined;
      },
      { timeoutMs: options.settleTimeoutMs, intervalMs: 2_000 },
    );
  } catch (error) {
    const open = placed.filter((p) => !done.has(p.orderId));
    problems.push(
      `${open.length} orders never settled, e.g. ${open
        .slice(0, 5)
        .map((p) => `${p.script} ${p.orderId}`)
        .join(", ")}: ${(error as Error).message}`,
    );
  }
  const orders = [...done.values()];
  for (const o of orders) problems.push(...checkOrder(o));

  // Loyalty: each customer's balance is exactly the points of their completed orders.
  const expectedPoints = new Map<string, { points: number; awards: number }>();
  for (const o of orders.filter((o) => o.order.status === "completed")) {
    const e = expectedPoints.get(o.customer.id) ?? { points: 0, awards: 0 };
    expectedPoints.set(o.customer.id, {
      points: e.points + points(o.order.total.amount),
      awards: e.awards + 1,
    });
  }
  const loyaltyWrong = await waitFor(
    "every loyalty balance to be exact",
    async () => {
      const wrong = (
        await inPool(customers, 16, async (c) => {
          const expected = expectedPoints.get(c.id) ?? { points: 0, awards: 0 };
          const { body } = await pizza.loyalty(c.token);
          const actual = { points: body?.points ?? 0, awards: body?.awards?.length ?? 0 };
          return actual.points === expected.points && actual.awards === expected.awards
            ? undefined
            : `customer ${c.id}: ${actual.points} points from ${actual.awards} orders, expected ${expected.points} from ${expected.awards}`;
        })
      ).filter((w): w is string => w !== undefined);
      return wrong.length === 0 ? [] : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 2_000 },
  ).catch(async () => {
    // Report what is still wrong (an over-count never settles, an under-count did not in time).
    const wrong = await inPool(customers, 16, async (c) => {
      const expected = expectedPoints.get(c.id) ?? { points: 0, awards: 0 };
      const { body } = await pizza.loyalty(c.token);
      return body?.points === expected.points
        ? undefined
        : `customer ${c.id}: ${body?.points} points, expected ${expected.points}`;
    });
    return wrong.filter((w): w is string => w !== undefined);
  });
  problems.push(...loyaltyWrong.slice(0, 10).map((w) => `loyalty: ${w}`));

  // Revenue: every order ever confirmed, counted once (a later cancel refunds it but was still sold).
  const confirmed = orders.filter((o) => o.order.history.some((h) => h.status === "confirmed"));
  const expectedRevenue = {
    amount: confirmed.reduce((sum, o) => sum + o.order.total.amount, 0),
    orders: confirmed.length,
  };
  const lastDay = new Date().toISOString().slice(0, 10);
  const revenue = async () => {
    const { body } = await pizza.call<{ revenue: { currency: string; amount: number; orders: number }[] }>(
      "GET",
      `/analytics/revenue?from=${firstDay}&to=${lastDay}`,
      { token: analyst },
    );
    const gbp = body.revenue.filter((r) => r.currency === "GBP");
    return { amount: gbp.reduce((s, r) => s + r.amount, 0), orders: gbp.reduce((s, r) => s + r.orders, 0) };
  };
  const actualRevenue = await waitFor(
    "revenue to be exact",
    async () => {
      const r = await revenue();
      return r.amount === expectedRevenue.amount && r.orders === expectedRevenue.orders ? r : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 2_000 },
  ).catch(revenue);
  if (actualRevenue.amount !== expectedRevenue.amount || actualRevenue.orders !== expectedRevenue.orders)
    problems.push(
      `revenue: ${actualRevenue.amount} pence from ${actualRevenue.orders} orders, expected ${expectedRevenue.amount} from ${expectedRevenue.orders}`,
    );

  // Dead letters: exactly what was poisoned, nothing the faults caused.
  const letters = await waitFor(
    "the poisoned events in the dead letters",
    async () => {
      const { body } = await pizza.call<{
        deadLetters: { eventId?: string; reason: string; queue: string }[];
      }>("GET", "/ops/dead-letters?limit=500", { token: operator });
      return poisoned.every((id) => body.deadLetters.some((l) => l.eventId === id))
        ? body.deadLetters
        : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 1_000 },
  ).catch(() => undefined);
  if (!letters) problems.push("dead letters: the poisoned events never arrived");
  else {
    const unexpected = letters.filter((l) => !l.eventId || !poisoned.includes(l.eventId));
    for (const l of unexpected.slice(0, 10))
      problems.push(`dead letters: unexpected letter in ${l.queue} for ${l.eventId ?? "?"}: ${l.reason}`);
    if (letters.length !== poisoned.length)
      problems.push(`dead letters: ${letters.length} letters, expected the ${poisoned.length} poisoned`);
  }

  const byScript = (s: Script) => orders.filter((o) => o.script === s).length;
  const taken = orders.reduce((n, o) => n + count(o.events, "payment.taken.v1"), 0);
  const refunds = orders.reduce((n, o) => n + count(o.events, "payment.refunded.v1"), 0);
  const voids = orders.reduce((n, o) => n + count(o.events, "payment.voided.v1"), 0);
  return {
    problems,
    figures: [
      ["orders submitted", placed.length],
      ["orders settled", orders.length],
      ["  collection (completed)", byScript("collection")],
      ["  delivery (completed)", byScript("delivery")],
      ["  cancelled by the customer", byScript("cancelled")],
      ["  card declined", byScript("declined")],
      ["  paid after the deadline", byScript("paid-late")],
      ["payments taken", taken],
      ["  refunded", refunds],
      ["payments voided (never charged)", voids],
      ["loyalty points awarded", [...expectedPoints.values()].reduce((s, e) => s + e.points, 0)],
      ["revenue (pence, orders)", `${actualRevenue.amount}, ${actualRevenue.orders}`],
      ["dead letters (all poisoned on purpose)", letters?.length ?? "?"],
      ["submitting took (s)", submitSeconds.toFixed(1)],
      ["everything took (s)", ((Date.now() - startedAt) / 1000).toFixed(1)],
    ],
  };
}

async function placeOrder(
  pizza: ReturnType<typeof pizzaClient>,
  index: number,
  customer: Customer,
  recipes: string[],
  paymentTimeoutSeconds: number,
): Promise<PlacedOrder> {
  const script = scriptOf(index);
  const items = [
    { recipeId: recipes[index % recipes.length]!, quantity: 1 + (index % 3) },
    ...(index % 2 ? [{ recipeId: recipes[(index + 3) % recipes.length]!, quantity: 1 }] : []),
  ];
  // Paid late: some answer just after the deadline (racing the void), some well after it.
  const lateBy = index % 2 ? 2 : 15;
  const cardToken =
    script === "declined"
      ? "tok_declined"
      : script === "paid-late"
        ? `tok_answer_after_${paymentTimeoutSeconds + lateBy}s`
        : "tok_visa";
  const body = {
    items,
    cardToken,
    ...(script === "delivery"
      ? { fulfilment: "delivery", deliveryAddressId: customer.addressId }
      : { fulfilment: "collection" }),
  };
  // A new address takes a moment to reach orders: retry with the same key until it is known.
  const key = uniqueId("soak-order");
  const submitted = await waitFor(
    `order ${index} to be accepted`,
    async () => {
      const r = await pizza.submitOrder(customer.token, body, key);
      if (r.status === 202) return r;
      if (r.status === 400 && JSON.stringify(r.body).includes("deliveryAddressId")) return undefined;
      // A restarted object (FAULTS restart) can fail a request: a client retries with the same key.
      if (r.status >= 500) return undefined;
      throw new Error(`submitting order ${index}: ${r.status} ${JSON.stringify(r.body)}`);
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  );
  const orderId: string = submitted.body.orderId;
  if (script === "cancelled") {
    // Cancelling is idempotent: a retry after a failed answer finds the order cancelled already.
    await waitFor(
      `order ${orderId} to be cancelled`,
      async () => {
        const r = await pizza.cancelOrder(customer.token, orderId);
        if (r.status === 202) return true;
        if (r.status >= 500) return undefined;
        throw new Error(`cancelling order ${orderId}: ${r.status} ${JSON.stringify(r.body)}`);
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
  }
  return { index, script, orderId, customer };
}

/** Puts three events no subscriber may apply on the bus; returns their ids. */
async function poisonTheBus(pizza: ReturnType<typeof pizzaClient>, operator: string): Promise<string[]> {
  const base = {
    specversion: "1.0",
    time: new Date().toISOString(),
    datacontenttype: "application/json",
    traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    causationid: "soak-poison",
  };
  const schema = (t: string) => ({ dataschema: `https://plantbasedpizza.dev/schemas/events/${t}.json` });
  const poison = [
    // A registered type whose data breaks its schema.
    {
      ...base,
      id: crypto.randomUUID(),
      source: "/contexts/orders",
      type: type("order.submitted.v1"),
      ...schema(type("order.submitted.v1")),
      data: { orderId: "not-a-uuid" },
    },
    // A type nobody registered.
    {
      ...base,
      id: crypto.randomUUID(),
      source: "/contexts/orders",
      type: type("order.teleported.v1"),
      ...schema(type("order.teleported.v1")),
      data: {},
    },
    // A refund claiming to come from orders, which never issues one.
    {
      ...base,
      id: crypto.randomUUID(),
      source: "/contexts/orders",
      type: type("payment.refunded.v1"),
      ...schema(type("payment.refunded.v1")),
      data: {
        orderId: crypto.randomUUID(),
        paymentId: crypto.randomUUID(),
        amount: { amount: 1, currency: "GBP" },
      },
    },
  ];
  for (const event of poison) {
    const r = await pizza.putOnBus(operator, event);
    if (r.status !== 202) throw new Error(`poisoning the bus: ${r.status} ${JSON.stringify(r.body)}`);
  }
  return poison.map((e) => e.id);
}
