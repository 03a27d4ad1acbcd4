/**
 * Sharded queues. One Cloudflare queue takes about 5,000 messages a second; a queue that must carry more
 * is split into N queues, its shards, and a producer picks one shard per message by a key: the event's
 * `subject` (the order, or the customer), so everything about one order keeps to one shard. The bus is
 * sharded this way, and any subscriber queue can be, with the same functions and nothing else to learn.
 *
 * Naming: shard 0 keeps the queue's own name and binding (`pizza-events`, PIZZA_EVENTS), so a queue that
 * becomes sharded goes on draining what already waits on it; shard k is the queue `<queue>-<k>`, bound as
 * `<BINDING>_<k>` (`pizza-events-1`, PIZZA_EVENTS_1).
 *
 * N is not a number to keep in step anywhere: it is how many shard bindings a worker's wrangler.toml
 * declares, counted from shard 0 while they are contiguous (`shardCount`). test/bus/shards-config.test.ts
 * fails unless every producer of a sharded queue binds the same shards and one consumer consumes each.
 */
export interface QueueName {
  /** The queue's name, as in wrangler.toml. */
  queue: string;
  /** The producer binding's name for it. */
  binding: string;
}

/** The event bus every producer sends events to (commands go point to point: shared/bus/destination.ts). */
export const BUS: QueueName = Object.freeze({ queue: "pizza-events", binding: "PIZZA_EVENTS" });

/** Shard k of a sharded queue (shard 0 is the queue itself). */
export function shardOf(base: QueueName, k: number): QueueName {
  if (!Number.isInteger(k) || k < 0) throw new Error(`no shard ${k} of ${base.queue}`);
  return k === 0 ? base : { queue: `${base.queue}-${k}`, binding: `${base.binding}_${k}` };
}

/** Every shard of a queue split into `shards`, shard 0 first. */
export function shardsOf(base: QueueName, shards: number): QueueName[] {
  return Array.from({ length: shards }, (_, k) => shardOf(base, k));
}

/** Far more shards than any capacity model needs: only a bound on the count below. */
const MAX_SHARDS = 1000;

/**
 * How many shards of `base` a worker binds: its shard bindings present in `bindings` (its env), counted
 * from shard 0 while contiguous. 0 when it does not bind the queue at all.
 */
export function shardCount(bindings: object, base: QueueName): number {
  const env = bindings as Record<string, unknown>;
  let n = 0;
  while (n < MAX_SHARDS && env[shardOf(base, n).binding] !== undefined) n++;
  return n;
}

/**
 * The producer bindings of every shard of `base` in `bindings` (an env), shard 0 first. `Q` is the
 * binding's type (Queue in a worker; this module also loads in Node, where Workers types do not).
 */
export function shardQueues<Q>(bindings: object, base: QueueName): { name: QueueName; queue: Q }[] {
  const env = bindings as Record<string, unknown>;
  return shardsOf(base, shardCount(bindings, base)).map((name) => ({ name, queue: env[name.binding] as Q }));
}

/** What picks an event's shard: its subject (the order; the customer), else its id. */
export function shardKeyOf(event: { subject?: string | undefined; id: string }): string {
  return event.subject ?? event.id;
}

const MASK_64 = (1n << 64n) - 1n;
const FNV_OFFSET_64 = 0xcbf29ce484222325n;
const FNV_PRIME_64 = 0x100000001b3n;

/** FNV-1a (64 bits) of the key's UTF-8 bytes, finished with MurmurHash3's fmix64 so that every bit mixes. */
export function keyHash(key: string): bigint {
  let h = FNV_OFFSET_64;
  for (const byte of new TextEncoder().encode(key)) h = ((h ^ BigInt(byte)) * FNV_PRIME_64) & MASK_64;
  h ^= h >> 33n;
  h = (h * 0xff51afd7ed558ccdn) & MASK_64;
  h ^= h >> 33n;
  h = (h * 0xc4ceb9fe1a85ec53n) & MASK_64;
  h ^= h >> 33n;
  return h;
}

/**
 * The shard, 0 to `shards` - 1, of a key: the same key always gets the same shard, and keys spread
 * evenly. It is Lamping and Veach's jump consistent hash, so growing from N to N + 1 shards moves only
 * 1/(N + 1) of the keys (to the new shard), where `hash % N` would move almost all of them: an order in
 * flight while shards are added most likely keeps its shard. Stable across runtimes and deploys (pure
 * arithmetic on the key's bytes); test/bus/shards.test.ts pins known answers.
 */
export function shardIndex(key: string, shards: number): number {
  if (!Number.isInteger(shards) || shards < 1) throw new Error(`cannot shard over ${shards} queues`);
  let k = keyHash(key);
  let b = -1;
  let j = 0;
  while (j < shards) {
    b = j;
    k = (k * 2862933555777941757n + 1n) & MASK_64;
    j = Math.floor((b + 1) * (2 ** 31 / (Number(k >> 33n) + 1)));
  }
  return b;
}

/** The shard of `base` (split into `shards`) a message with this key goes to. */
export function shardFor(base: QueueName, key: string, shards: number): QueueName {
  return shardOf(base, shards <= 1 ? 0 : shardIndex(key, shards));
}
