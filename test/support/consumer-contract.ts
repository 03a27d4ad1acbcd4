import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DeadLetter } from "../../shared/bus/dead-letter";
import { subscribedTypes, type SubscriptionBase } from "../../shared/bus/subscription";
import { CLAIMS_BUCKET, DATAREF_PREFIX, sha256Hex } from "../../shared/events/claim-envelope";
import { createEvent, sourceOf, type PizzaEvent } from "../../shared/events/envelope";
import {
  dataschemaFor,
  eventTypes,
  isPastSunset,
  registry,
  type EventData,
  type EventType,
} from "../../shared/events/registry";
import { startTrace } from "../../shared/events/trace";
import { exampleData } from "./example-events";

/**
 * Issue 9's promise, one contract for every queue consumer built from shared/consumer/harness.ts:
 * a malformed message goes to the consumer's dead-letter queue with the reason, never crashes its batch
 * and never vanishes. Each test/<context>/consumer-contract.test.ts calls it in its own workerd project
 * with the real pieces: real MessageBatches (test/support/queue-batch.ts) and the real dead-letter queue.
 *
 * It takes those pieces as functions rather than importing them: this file is also type-checked by the
 * Node test config (test/tsconfig.json), where `cloudflare:test` and `cloudflare:workers` do not exist.
 */

/** A message of one batch, as queue-batch.ts's `deliverMessages` takes it. */
export interface BatchMessage {
  id: string;
  body: unknown;
  attempts?: number;
}

/** What the platform recorded the handler doing with a batch (cloudflare:test's QueueResult). */
export interface BatchResult {
  outcome: string;
  ackAll: boolean;
  retryBatch: { retry: boolean };
  explicitAcks: string[];
  retryMessages: { msgId: string }[];
}

export interface ConsumerUnderTest {
  /** The consumer's subscription: its queue, dead-letter queue and the types it reads. */
  subscription: SubscriptionBase;
  /** `queueConsumer(worker, subscription.queue).deliverMessages`: one real batch to the worker's queue handler. */
  deliverMessages: (messages: BatchMessage[]) => Promise<BatchResult>;
  /** Everything that reached its dead-letter queue so far (anything that is not a dead letter is ignored). */
  deadLetters: () => Promise<unknown[]>;
  /** A fresh event it reads and handles on its first delivery (built with createEvent and exampleData). */
  validEvent: () => PizzaEvent;
  /** Its EVENT_CLAIMS bucket, to plant a claim whose content does not match its hash. */
  claims: { put(key: string, value: string): Promise<unknown> };
}

/**
 * A fresh event of `type`: its registry example with `data` on top (fresh ids keep one test's effects
 * apart from another's), about the order or else the customer it names.
 */
export function exampleEvent<T extends EventType>(type: T, data: Partial<EventData<T>> = {}): PizzaEvent<T> {
  const merged = { ...(exampleData(type) as object), ...data } as EventData<T> & {
    orderId?: string;
    customerId?: string;
  };
  const subject = merged.orderId ?? merged.customerId;
  return createEvent(type, merged, {
    traceparent: startTrace(),
    causationid: "consumer-contract",
    ...(subject ? { subject } : {}),
  });
}

/** One kind of malformed message, and the reason its dead letter must give. */
interface Malformed {
  what: string;
  body: unknown;
  reason: string | RegExp;
}

/**
 * Every kind of message the harness must refuse, each unique to `nonce` so that its letter can be told
 * apart from other tests' on the same (shared) dead-letter queue.
 */
async function malformedMessages(c: ConsumerUnderTest, nonce: string): Promise<Malformed[]> {
  const { subscriber } = c.subscription;
  const valid = c.validEvent();
  const { data: _data, ...withoutData } = valid;
  const producer = sourceOf(registry[valid.type].producer);
  const reads = new Set<string>(subscribedTypes(c.subscription));
  // A registered type still published (not past its sunset) that this subscriber does not read.
  const unread = eventTypes.find((t) => !reads.has(t) && !isPastSunset(t));
  if (!unread) throw new Error(`${subscriber} reads every registered type: no unsubscribed type to send`);
  const notRead = createEvent(unread, exampleData(unread) as never, {
    traceparent: startTrace(),
    causationid: `consumer-contract-${nonce}`,
  });
  // The claim is stored, but not under the hash of its content (an altered or mis-written object).
  const alteredHash = await sha256Hex(`the data that was claimed ${nonce}`);
  await c.claims.put(`claims/${alteredHash}`, JSON.stringify({ altered: nonce }));
  const goneHash = await sha256Hex(`never stored ${nonce}`);
  const envelope = /^invalid envelope: /;
  return [
    { what: "a string, not a JSON object", body: `not an event ${nonce}`, reason: envelope },
    { what: "JSON text that does not parse", body: `{"specversion":"1.0","id":"${nonce}"`, reason: envelope },
    // A random float: a number that is still unique to this test.
    { what: "a number", body: Math.random(), reason: envelope },
    { what: "an array", body: [nonce, valid], reason: envelope },
    {
      what: "an envelope missing its source and traceparent",
      body: { ...valid, source: undefined, traceparent: undefined },
      reason: /^invalid envelope: source: .*; traceparent: /,
    },
    {
      what: "a registered type whose data breaks its schema",
      body: { ...valid, data: { unexpected: nonce } },
      reason: /^invalid data: data\./,
    },
    {
      what: "a dataschema naming another type",
      body: { ...valid, dataschema: dataschemaFor(unread) },
      reason: `dataschema ${dataschemaFor(unread)} does not match type ${valid.type}`,
    },
    {
      what: "an unregistered type",
      body: { ...valid, type: "com.plantbasedpizza.order.teleported.v1" },
      reason: "unregistered event type com.plantbasedpizza.order.teleported.v1",
    },
    // A lookup by `in` or `[]` would find Object.prototype's own: the registry must not.
    {
      what: "a type named like an Object.prototype property",
      body: { ...valid, type: "constructor" },
      reason: "unregistered event type constructor",
    },
    {
      what: "a forged source",
      body: { ...valid, source: "/contexts/mallory" },
      reason: `source /contexts/mallory is not the producer of ${valid.type} (${producer})`,
    },
    {
      what: "a registered type it does not subscribe to",
      body: notRead,
      reason: `${subscriber} does not subscribe to ${unread}`,
    },
    {
      what: "a claim-checked envelope whose dataref is not ours",
      body: { ...withoutData, dataref: `https://mallory.example/claims/${nonce}` },
      reason: `dataref https://mallory.example/claims/${nonce} is not a claim of ${CLAIMS_BUCKET}`,
    },
    {
      what: "a claim-checked envelope whose claim is gone",
      body: { ...withoutData, dataref: `${DATAREF_PREFIX}${goneHash}` },
      reason: new RegExp(`^claim claims/${goneHash} is gone`),
    },
    {
      what: "a claim-checked envelope whose claim does not match its hash",
      body: { ...withoutData, dataref: `${DATAREF_PREFIX}${alteredHash}` },
      reason: `claim claims/${alteredHash} does not match its hash`,
    },
  ];
}

/** A body as it comes back from a queue: JSON, so `undefined` fields are gone and key order is kept. */
const asQueued = (body: unknown) => JSON.stringify(body);

/** The letters on the consumer's dead-letter queue whose body is `body`. */
async function lettersOf(c: ConsumerUnderTest, bodies: unknown[]): Promise<DeadLetter[][]> {
  const letters = (await c.deadLetters()).flatMap((l) => {
    const letter = DeadLetter.safeParse(l);
    return letter.success ? [letter.data] : [];
  });
  return bodies.map((body) => letters.filter((l) => asQueued(l.body) === asQueued(body)));
}

/**
 * The letters of each body once every body has one, or what there is after a few seconds: then the
 * test's assertions name the kinds of message whose letter never came.
 */
async function lettersFor(c: ConsumerUnderTest, bodies: unknown[]): Promise<DeadLetter[][]> {
  const deadline = Date.now() + LETTER_WAIT_MS;
  for (;;) {
    const found = await lettersOf(c, bodies);
    if (found.every((letters) => letters.length > 0) || Date.now() > deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The tap and the dead-letter office take a letter within a fraction of a second; this is ample. */
const LETTER_WAIT_MS = 5_000;
/** Under the letter wait, plus the batches themselves on a loaded machine. */
const TEST_TIMEOUT_MS = 30_000;

/** Acked (explicitly or with the batch) or retried (likewise): what the platform will do next with it. */
function decisionsOf(result: BatchResult, id: string): ("acked" | "retried")[] {
  const decisions: ("acked" | "retried")[] = [];
  if (result.ackAll || result.explicitAcks.includes(id)) decisions.push("acked");
  if (result.retryBatch.retry || result.retryMessages.some((m) => m.msgId === id)) decisions.push("retried");
  return decisions;
}

/** The outcomes the harness logged for the event with this id, on this consumer's queue. */
function loggedOutcomes(log: { mock: { calls: unknown[][] } }, queue: string, id: string): unknown[] {
  return log.mock.calls
    .map(([fields]) => fields as Record<string, unknown>)
    .filter((f) => typeof f === "object" && f !== null && f.queue === queue && f.id === id)
    .map((f) => f.outcome);
}

/**
 * Registers the contract's tests for one consumer. Its dead-letter queue is shared with the project's
 * other tests, so letters are matched by body, never counted.
 */
export function consumerContract(name: string, c: ConsumerUnderTest): void {
  const { queue, deadLetterQueue, retry } = c.subscription;

  describe(`${name}'s consumer contract (${queue}, malformed to ${deadLetterQueue})`, () => {
    afterEach(() => vi.restoreAllMocks());

    it(
      "dead-letters every malformed message with its reason, acks it, and still handles the valid one",
      async () => {
        const log = vi.spyOn(console, "log");
        const nonce = crypto.randomUUID();
        const malformed = await malformedMessages(c, nonce);
        const valid = c.validEvent();
        const messages = malformed.map((m) => ({ id: `${nonce}-${m.what}`, body: m.body }));
        // In the middle: the messages before and after it are handled on their own.
        const validId = `${nonce}-valid`;
        messages.splice(Math.floor(messages.length / 2), 0, { id: validId, body: valid });

        // A throwing handler would reject here: the platform would retry the whole batch.
        const result = await c.deliverMessages(messages);
        expect(result.outcome).toBe("ok");
        expect(result.ackAll).toBe(false);
        expect(result.retryBatch.retry).toBe(false);
        expect(result.retryMessages).toEqual([]);
        expect([...result.explicitAcks].sort()).toEqual(messages.map((m) => m.id).sort());

        const letters = await lettersFor(
          c,
          malformed.map((m) => m.body),
        );
        malformed.forEach((m, i) => {
          expect(letters[i], m.what).toHaveLength(1);
          expect(letters[i]![0], m.what).toMatchObject({
            kind: "dead-letter",
            queue,
            attempts: 1,
            reason: typeof m.reason === "string" ? m.reason : expect.stringMatching(m.reason),
          });
        });
        // Acked because it was handled, not because it was dead-lettered.
        expect(loggedOutcomes(log, queue, valid.id)).toEqual(["processed"]);
        const [validLetters] = await lettersOf(c, [valid]);
        expect(validLetters).toEqual([]);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      "lets nothing vanish: every message is acked or retried, and each refused one is on the dead-letter queue",
      async () => {
        const log = vi.spyOn(console, "log");
        const nonce = crypto.randomUUID();
        const malformed = await malformedMessages(c, nonce);
        const valid = c.validEvent();
        // The same malformed messages on their first, a middle and their last attempt (and beyond, as the
        // platform's own retries could): how often a message was tried must not change what happens to it.
        const attempts = [1, Math.ceil(retry.attempts / 2), retry.attempts, retry.attempts + 1];
        const refused = malformed.map((m, i) => ({
          id: `${nonce}-refused-${i}`,
          body: m.body,
          attempts: attempts[i % attempts.length]!,
          m,
        }));
        const handled = [
          { id: `${nonce}-valid`, body: valid, attempts: 1 },
          // Redelivered in the same batch: a duplicate is acked too, never left hanging.
          { id: `${nonce}-valid-again`, body: valid, attempts: 2 },
        ];
        const messages = [...refused.map(({ m: _m, ...message }) => message), ...handled];

        const result = await c.deliverMessages(messages);
        expect(result.outcome).toBe("ok");
        for (const { id } of messages) expect(decisionsOf(result, id), id).toHaveLength(1);
        // Nothing else was decided: no message the batch did not have.
        const ids = new Set(messages.map((m) => m.id));
        expect(result.explicitAcks.filter((id) => !ids.has(id))).toEqual([]);
        expect(result.retryMessages.filter((r) => !ids.has(r.msgId))).toEqual([]);

        // Every refused message was acked only once its letter was on the queue, with its attempt count.
        for (const { id } of refused) expect(decisionsOf(result, id), id).toEqual(["acked"]);
        const letters = await lettersFor(
          c,
          refused.map((r) => r.body),
        );
        refused.forEach((r, i) => {
          expect(letters[i], r.m.what).toHaveLength(1);
          expect(letters[i]![0], r.m.what).toMatchObject({ queue, attempts: r.attempts });
        });
        // Both deliveries of the valid event were handled (an inbox finds the second one a duplicate; a
        // handler with no effect to guard, like the simulated staff switched off, processes it again).
        for (const { id } of handled) expect(decisionsOf(result, id), id).toEqual(["acked"]);
        const outcomes = loggedOutcomes(log, queue, valid.id);
        expect(outcomes).toHaveLength(2);
        expect(outcomes).toContain("processed");
        for (const outcome of outcomes) expect(["processed", "duplicate"]).toContain(outcome);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      "never throws and decides every message, whatever the batch holds",
      async () => {
        const nonce = crypto.randomUUID();
        const malformed = (await malformedMessages(c, nonce)).map((m) => m.body);
        const body = fc.oneof(
          fc.jsonValue(),
          fc.constantFrom(...malformed),
          fc.constant(null),
          fc.constant(c.validEvent()),
        );
        const message = fc.record({ body, attempts: fc.integer({ min: 1, max: retry.attempts }) });
        // Few, small batches: every refused body is a letter on a queue the project's other tests read.
        await fc.assert(
          fc.asyncProperty(fc.array(message, { minLength: 1, maxLength: 6 }), async (drawn) => {
            const messages = drawn.map((m) => ({ ...m, id: crypto.randomUUID() }));
            const result = await c.deliverMessages(messages);
            expect(result.outcome).toBe("ok");
            for (const { id } of messages) expect(decisionsOf(result, id), id).toHaveLength(1);
          }),
          { numRuns: 8 },
        );
      },
      TEST_TIMEOUT_MS,
    );
  });
}
