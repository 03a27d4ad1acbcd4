import { env } from "cloudflare:workers";
import { inboxOf, recipientOf } from "../../shared/bus/destination";
import { BUS, shardQueues } from "../../shared/bus/shards";
import type { PizzaEvent } from "../../shared/events/envelope";
import { eventTypes } from "../../shared/events/registry";
import { waitFor } from "./wait-for";

/**
 * Reads what reached the queues the queue-tap worker consumes in this test project (see
 * vitest.config.ts): the events a worker published on the bus (every shard), the commands it sent to
 * their recipient, the letters it dead-lettered.
 */
const tap = () => (env as unknown as { QUEUE_TAP: Fetcher }).QUEUE_TAP;

/** Everything that reached each tapped queue so far, oldest first: { [queue]: body[] }. */
export async function tappedQueues<T = unknown>(): Promise<Record<string, T[]>> {
  return (await tap().fetch("https://queue-tap/")).json<Record<string, T[]>>();
}

export async function tapped(queue: string): Promise<unknown[]> {
  return (await tappedQueues())[queue] ?? [];
}

/**
 * The queues a worker publishes to: every shard of the bus (shared/bus/shards.ts) and each command
 * recipient's queue (shared/bus/destination.ts), shards included, as named in the registry.
 */
const PUBLISHED_TO = [BUS, ...[...new Set(eventTypes.flatMap((t) => recipientOf(t) ?? []))].map(inboxOf)];
const publishedTo = (queue: string) =>
  PUBLISHED_TO.some((base) => queue === base.queue || new RegExp(`^${base.queue}-\\d+$`).test(queue));

/** Everything published so far (events on any bus shard, commands at their recipient), in no set order. */
export async function published(): Promise<PizzaEvent[]> {
  return Object.entries(await tappedQueues<PizzaEvent>()).flatMap(([queue, bodies]) =>
    publishedTo(queue) ? bodies : [],
  );
}

/** Waits until `count` published events match `match` (e.g. about one order), and returns them. */
export async function publishedEvents(
  match: (e: PizzaEvent) => boolean,
  count: number,
): Promise<PizzaEvent[]> {
  return waitFor(`${count} matching event(s) on the bus`, async () => {
    const found = (await published()).filter(match);
    return found.length >= count ? found : undefined;
  });
}

/** Events (and commands) about one order (subject) published so far. */
export async function eventsAbout(subject: string): Promise<PizzaEvent[]> {
  return (await published()).filter((e) => e.subject === subject);
}

/**
 * Returns once everything sent so far to the queues a worker publishes to has reached the tap: a marker
 * goes to each of them this project's worker binds (every bus shard, a recipient's queue), and each
 * queue hands the tap its messages in the order it accepted them. So an event not tapped by then was
 * never sent, whichever shard its subject picked.
 */
export async function publishedSettled(): Promise<void> {
  const queues = PUBLISHED_TO.flatMap((base) => shardQueues<Queue>(env, base));
  const marker = `marker-${crypto.randomUUID()}`;
  await Promise.all(queues.map(({ queue }) => queue.send({ id: marker })));
  await waitFor(`the marker at ${queues.map((q) => q.name.queue).join(", ")}`, async () => {
    const all = await tappedQueues<{ id?: string }>();
    return queues.every(({ name }) => all[name.queue]?.some((m) => m.id === marker)) ? true : undefined;
  });
}
