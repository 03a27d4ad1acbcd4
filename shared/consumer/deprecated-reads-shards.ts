/**
 * How many DeprecatedReads objects share one subscriber's counts. Each batch adds to one of them, picked
 * at random, and a read sums them all (with the object named by the subscriber alone, which counted
 * before the split): a subscriber whose queue takes hundreds of batches a second while it still reads
 * a deprecated version would otherwise send every one of them to one object (docs/SCALE.md).
 */
export const DEPRECATED_READS_SHARDS = 8;

/** The objects a subscriber's counts live in: the one before the split, then its shards. */
export function deprecatedReadsNames(subscriber: string): string[] {
  return [subscriber, ...Array.from({ length: DEPRECATED_READS_SHARDS }, (_, k) => `${subscriber}/${k}`)];
}
