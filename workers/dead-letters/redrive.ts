import { BUS_QUEUE, subscriptions } from "../router/routing-table";

/**
 * Where a redriven letter goes: back to the queue it failed in (the letter's `queue`), never to the
 * whole bus, through the dead-letters worker's producer binding for that queue. A subscriber's letter
 * goes back to its own queue (kitchen-inbox, ...); a letter the router could not handle goes back to
 * the bus it failed in. The office stores each scheduled letter's binding (Durable Objects know nothing
 * of the routing table); the ops API passes this map. No Workers runtime modules:
 * test/bus/subscriptions.test.ts checks the wrangler.toml against it in Node.
 */
export const REDRIVE_BINDINGS: Readonly<Record<string, string>> = Object.freeze({
  [BUS_QUEUE]: "PIZZA_EVENTS",
  ...Object.fromEntries(subscriptions.map((s) => [s.queue, s.binding])),
});
