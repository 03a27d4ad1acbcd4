import { env } from "cloudflare:workers";
import type { PizzaEvent } from "../../shared/events/envelope";
import { waitFor } from "./wait-for";

/**
 * Reads what reached the queues the queue-tap worker consumes in this test project (see
 * vitest.config.ts): the events a worker published on the bus, the letters it dead-lettered.
 */
const tap = () => (env as unknown as { QUEUE_TAP: Fetcher }).QUEUE_TAP;

export async function tapped(queue: string): Promise<unknown[]> {
  const all = await (await tap().fetch("https://queue-tap/")).json<Record<string, unknown[]>>();
  return all[queue] ?? [];
}

/** Waits until the bus has `count` events matching `match` (e.g. about one order), and returns them. */
export async function publishedEvents(match: (e: PizzaEvent) => boolean, count: number): Promise<PizzaEvent[]> {
  return waitFor(`${count} matching event(s) on the bus`, async () => {
    const found = ((await tapped("pizza-events")) as PizzaEvent[]).filter(match);
    return found.length >= count ? found : undefined;
  });
}

/** Events about one order (subject) that reached the bus so far. */
export async function eventsAbout(subject: string): Promise<PizzaEvent[]> {
  return ((await tapped("pizza-events")) as PizzaEvent[]).filter((e) => e.subject === subject);
}
