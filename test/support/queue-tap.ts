import { env } from "cloudflare:workers";
import type { PizzaEvent } from "../../shared/events/envelope";
import { waitFor } from "./wait-for";

/**
 * Reads what reached the queues the queue-tap worker consumes in this test project (see
 * vitest.config.ts): the events a worker published on the bus, the letters it dead-lettered.
 */
const tap = () => (env as unknown as { QUEUE_TAP: Fetcher }).QUEUE_TAP;

/** Everything that reached each tapped queue so far, oldest first: { [queue]: body[] }. */
export async function tappedQueues<T = unknown>(): Promise<Record<string, T[]>> {
  return (await tap().fetch("https://queue-tap/")).json<Record<string, T[]>>();
}

export async function tapped(queue: string): Promise<unknown[]> {
  return (await tappedQueues())[queue] ?? [];
}

/** Waits until the bus has `count` events matching `match` (e.g. about one order), and returns them. */
export async function publishedEvents(
  match: (e: PizzaEvent) => boolean,
  count: number,
): Promise<PizzaEvent[]> {
  return waitFor(`${count} matching event(s) on the bus`, async () => {
    const found = ((await tapped("pizza-events")) as PizzaEvent[]).filter(match);
    return found.length >= count ? found : undefined;
  });
}

/** Events about one order (subject) that reached the bus so far. */
export async function eventsAbout(subject: string): Promise<PizzaEvent[]> {
  return ((await tapped("pizza-events")) as PizzaEvent[]).filter((e) => e.subject === subject);
}
