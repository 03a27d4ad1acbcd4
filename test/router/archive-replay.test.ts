import { env } from "cloudflare:workers";
import {
  createExecutionContext,
  createMessageBatch,
  evictDurableObject,
  getQueueResult,
} from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  SEND_PER_TICK,
  type ArchiveReplay,
  type ReplayProgress,
} from "../../durable-objects/router/archive-replay";
import { hourPrefix, linesOf } from "../../durable-objects/router/event-archive";
import { createEvent } from "../../shared/events/envelope";
import type { EventType } from "../../shared/events/registry";
import { startTrace } from "../../shared/events/trace";
import worker from "../../workers/router";
import { planReplay, type ReplayAsked } from "../../workers/router/replays";
import { BUS_DEAD_LETTER_QUEUE, subscriptions } from "../../workers/router/routing-table";
import { exampleData } from "../support/example-events";
import { queueConsumer } from "../support/queue-batch";
import { tappedQueues } from "../support/queue-tap";
import { waitFor } from "../support/wait-for";

/**
 * The archive and its replays with the router's real R2 bucket, Durable Objects and queues: a worker
 * consumes every queue the router sends to (test/support/queue-tap-worker.js) and records what arrived.
 * Each test's events happen in an hour of their own, so each reads only its own part of the archive.
 */
const HOUR = 60 * 60 * 1000;
const MINUTE = 60 * 1000;
/** The start of an hour in 2025 no other test uses (the archive is keyed by the events' time). */
const freshHour = () => Date.UTC(2025, 0, 1) + Math.floor(Math.random() * 364 * 24) * HOUR;

const event = <T extends EventType>(type: T, at: number) =>
  createEvent(
    type,
    exampleData(type),
    { traceparent: startTrace(), causationid: "test", subject: crypto.randomUUID() },
    new Date(at),
  );

const { deliverBatch: route } = queueConsumer(worker, "pizza-events");
const archive = env.EVENT_ARCHIVE;
const replays = env.ARCHIVE_REPLAYS as DurableObjectNamespace<ArchiveReplay>;

/** Every archived object of an hour, each as the events (bodies) it holds, oldest archived first. */
async function archivedIn(hour: number): Promise<unknown[][]> {
  const listed = await archive.list({ prefix: hourPrefix(hour) });
  return Promise.all(
    listed.objects.map(async (o) =>
      linesOf(await (await archive.get(o.key))!.text()).map((l) => JSON.parse(l)),
    ),
  );
}

/** Every queue the router can send to, each with its producer binding in the router's env. */
const queues = [
  ...subscriptions.map((s) => ({ queue: s.queue, binding: s.binding })),
  { queue: BUS_DEAD_LETTER_QUEUE, binding: "DEAD_LETTERS" },
];
type Arrival = { id?: string; body?: { id?: string } };

/**
 * Everything every queue will ever get from what was sent so far: a marker is put on every queue after
 * it, and each queue hands the tap its messages in the order it accepted them (test/router/router.test.ts
 * explains why an event not there once the markers are was never sent there).
 */
async function everythingArrived(): Promise<Record<string, Arrival[]>> {
  const marker = `marker-${crypto.randomUUID()}`;
  const bindings = env as unknown as Record<string, Queue>;
  await Promise.all(queues.map(({ binding }) => bindings[binding]!.send({ id: marker })));
  return waitFor("the marker at every queue the router sends to", async () => {
    const r = await tappedQueues<Arrival>();
    return queues.every(({ queue }) => r[queue]?.some((m) => m.id === marker)) ? r : undefined;
  });
}

/** At each queue, what arrived of `events` (or as letters about them) since `before`. */
function arrivedSince(
  before: Record<string, Arrival[]>,
  after: Record<string, Arrival[]>,
  events: { id: string }[],
) {
  const ids = new Set(events.map((e) => e.id));
  return Object.fromEntries(
    queues.map(({ queue }) => [
      queue,
      (after[queue] ?? [])
        .slice((before[queue] ?? []).length)
        .filter((m) => ids.has(m.id ?? "") || ids.has(m.body?.id ?? "")),
    ]),
  );
}

/** Starts a replay as the ops API does (planned against the routing table), and waits for its end. */
async function replay(asked: ReplayAsked, id = crypto.randomUUID()) {
  const checked = planReplay(asked);
  if (!checked.ok) throw new Error(JSON.stringify(checked.issues));
  const job = replays.getByName(id);
  await job.start({ id, ...checked.plan, requestedBy: "operator-7" });
  return { job, done: () => finished(job) };
}

const finished = (job: DurableObjectStub<ArchiveReplay>) =>
  waitFor(
    "the replay to finish",
    async () => {
      const progress = (await job.progress()) as ReplayProgress | null;
      return progress && progress.state !== "running" ? progress : undefined;
    },
    { timeoutMs: 30_000 },
  );

const iso = (ms: number) => new Date(ms).toISOString();

describe("the event archive", () => {
  it("keeps every valid event the router receives, routed or not, as received, under the hour of its time", async () => {
    const hour = freshHour();
    const confirmed = event("com.plantbasedpizza.order.confirmed.v2", hour + 5 * MINUTE);
    const awarded = event("com.plantbasedpizza.loyalty.points-awarded.v1", hour + 6 * MINUTE);
    // The next hour's event, in the same batch: a bus retry can bring a late event beside new ones.
    const started = event("com.plantbasedpizza.kitchen.preparation-started.v1", hour + HOUR + MINUTE);
    const broken = { ...event("com.plantbasedpizza.order.confirmed.v2", hour), type: "…order.misplaced.v1" };
    // Routed, unrouted (nobody reads it) and invalid: all acked, the invalid one as a dead letter.
    expect(subscriptions.some((s) => Object.hasOwn(s.events, awarded.type))).toBe(false);
    const result = await route([confirmed, awarded, started, broken]);
    expect(result.explicitAcks).toHaveLength(4);

    // One object per hour of event time in the batch (one R2 write, not one per event), each holding
    // that hour's events exactly as they came; the invalid event is nowhere.
    expect(await archivedIn(hour)).toEqual([[confirmed, awarded]]);
    expect(await archivedIn(hour + HOUR)).toEqual([[started]]);
  });

  it("forwards and acks nothing it could not archive, and retries it like a failed forward", async () => {
    const hour = freshHour();
    const confirmed = event("com.plantbasedpizza.order.confirmed.v2", hour);
    const submitted = event("com.plantbasedpizza.order.submitted.v1", hour);
    // A router whose archive cannot be written: the real one, without its bucket (the write throws).
    const { EVENT_ARCHIVE: _gone, ...withoutArchive } = env as unknown as Record<string, unknown>;
    // Every queue it forwards to is still there: only the archive is missing.
    for (const { binding } of queues) expect(withoutArchive[binding], binding).toBeDefined();
    const batch = createMessageBatch<unknown>("pizza-events", [
      { id: "m-confirmed", timestamp: new Date(), attempts: 1, body: confirmed },
      { id: "m-submitted", timestamp: new Date(), attempts: 1, body: submitted },
    ]);
    const ctx = createExecutionContext();
    await worker.queue!(batch, withoutArchive as unknown as Env, ctx);
    const result = await getQueueResult(batch, ctx);

    expect(result.explicitAcks).toEqual([]);
    // (The plugin's getQueueResult drops a retry's delaySeconds: the delay is the index's BUS_RETRY.)
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(["m-confirmed", "m-submitted"]);
    const arrived = arrivedSince({}, await everythingArrived(), [confirmed, submitted]);
    expect(Object.values(arrived).flat()).toEqual([]);
  });
});

describe("a replay of the archive", () => {
  it("sends one subscriber the archived events of its types in the range, each once, to its queue alone", async () => {
    const hour = freshHour();
    const [from, to] = [hour + 5 * MINUTE, hour + 50 * MINUTE];
    const completed = [10, 20].map((m) => event("com.plantbasedpizza.order.completed.v1", hour + m * MINUTE));
    const outside = [1, 55].map((m) => event("com.plantbasedpizza.order.completed.v1", hour + m * MINUTE));
    // Loyalty reads neither: another event, and another version of the one it reads.
    const others = [
      event("com.plantbasedpizza.order.confirmed.v2", hour + 15 * MINUTE),
      event("com.plantbasedpizza.order.completed.v2", hour + 15 * MINUTE),
    ];
    await route([completed[0]!, ...outside, ...others]);
    // The first completion again, archived a second time (a retried batch, a duplicate delivery).
    await route([completed[0]!, completed[1]!]);
    const before = await everythingArrived();

    const { done } = await replay({ subscriber: "loyalty", from: iso(from), to: iso(to) });
    expect(await done()).toMatchObject({
      state: "done",
      subscriber: "loyalty",
      queue: "loyalty-inbox",
      types: ["com.plantbasedpizza.order.completed.v1"],
      requestedBy: "operator-7",
      hours: { read: 1, of: 1 },
      objectsRead: 2,
      eventsRead: 7,
      eventsSent: 2,
      duplicatesSkipped: 1,
      eventsNotSelected: 4,
      waiting: 0,
      error: null,
    });

    const arrived = arrivedSince(before, await everythingArrived(), [...completed, ...outside, ...others]);
    expect(arrived).toEqual(
      Object.fromEntries(queues.map(({ queue }) => [queue, queue === "loyalty-inbox" ? completed : []])),
    );
  });

  it("sends only the types an operator chose among those the subscriber reads", async () => {
    const hour = freshHour();
    const confirmed = event("com.plantbasedpizza.order.confirmed.v2", hour + MINUTE);
    const cancelled = event("com.plantbasedpizza.order.cancelled.v1", hour + 2 * MINUTE);
    const kitchen = subscriptions.find((s) => s.subscriber === "kitchen")!;
    expect(Object.keys(kitchen.events)).toEqual(expect.arrayContaining([confirmed.type, cancelled.type]));
    await route([confirmed, cancelled]);
    const before = await everythingArrived();

    const { done } = await replay({
      subscriber: "kitchen",
      from: iso(hour),
      to: iso(hour + HOUR),
      types: [cancelled.type],
    });
    expect(await done()).toMatchObject({ state: "done", eventsSent: 1, eventsNotSelected: 1 });
    const arrived = arrivedSince(before, await everythingArrived(), [confirmed, cancelled]);
    expect(arrived["kitchen-inbox"]).toEqual([cancelled]);
    expect(Object.values(arrived).flat()).toEqual([cancelled]);
  });

  it("sends at most SEND_PER_TICK events a tick, and carries on where it was after its object is evicted", async () => {
    const hour = freshHour();
    const count = 2 * SEND_PER_TICK + 50;
    const completed = Array.from({ length: count }, (_, i) =>
      event("com.plantbasedpizza.order.completed.v1", hour + (i % 60) * MINUTE),
    );
    for (let i = 0; i < count; i += 100) await route(completed.slice(i, i + 100));
    const before = await everythingArrived();

    const { job, done } = await replay({ subscriber: "loyalty", from: iso(hour), to: iso(hour + HOUR) });
    // Between two ticks: the first hundred sent, the rest waiting for the next tick, a second away.
    const between = await waitFor("the first tick", async () => {
      const p = (await job.progress()) as ReplayProgress;
      return p.eventsSent > 0 ? p : undefined;
    });
    expect(between).toMatchObject({ state: "running", eventsSent: SEND_PER_TICK });
    // In-memory state gone, storage and alarm kept: as after a restart or a deploy.
    await evictDurableObject(job);

    expect(await done()).toMatchObject({ state: "done", objectsRead: 3, eventsSent: count });
    const arrived = arrivedSince(before, await everythingArrived(), completed);
    expect(new Set(arrived["loyalty-inbox"]!.map((m) => m.id))).toEqual(new Set(completed.map((e) => e.id)));
    expect(arrived["loyalty-inbox"]).toHaveLength(count);
  });

  it("starts once per id: asking again answers the job as it is", async () => {
    const hour = freshHour();
    const id = crypto.randomUUID();
    const asked = { subscriber: "loyalty", from: iso(hour), to: iso(hour + HOUR) };
    const { job, done } = await replay(asked, id);
    const first = await done();
    const plan = planReplay(asked);
    if (!plan.ok) throw new Error("planned above");
    expect(await job.start({ id, ...plan.plan, requestedBy: "operator-8" })).toEqual(first);
  });
});
