import {
  describeRetrySchedule,
  retryDelaySeconds,
  retryScheduleProblems,
  type RetrySchedule,
} from "../../shared/bus/subscription";

/**
 * How long the dead-letters worker keeps trying to file a letter, and what it does when it cannot.
 * No Workers runtime modules: test/bus/subscriptions.test.ts checks the wrangler.toml against it in Node.
 *
 * Every dead-letter queue's consumer retries a letter it could not file (its DeadLetterOffice failing,
 * say) on FILING_RETRY, for hours; after its last attempt the platform moves the letter to the
 * dead-letter office's own dead-letter queue, the last resort, consumed by the same worker on the same
 * schedule and filed in an office of its own. The last resort has no dead-letter queue: on its final
 * attempt the worker puts the letter back on it as a new message (new attempts, new retention), so a
 * letter is never dropped, however long filing fails.
 */
export const LAST_RESORT_QUEUE = "dead-letters-dlq";

/**
 * 101 attempts (`max_retries = 100`, Queues' most), 5 s doubling to 10 minutes: 15 h 40 m on each
 * queue, inside the 24 h a queue may keep a message. A letter waits at most 10 minutes after the office
 * is back.
 */
export const FILING_RETRY: RetrySchedule = { attempts: 101, firstDelaySeconds: 5, maxDelaySeconds: 10 * 60 };

const problems = retryScheduleProblems(FILING_RETRY);
if (problems.length > 0) throw new Error(`the dead-letter office's retry schedule: ${problems.join("; ")}`);

/** `max_retries` of every consumer of the dead-letters worker. */
export const FILING_MAX_RETRIES = FILING_RETRY.attempts - 1;

export type AfterFilingFailed = { retryAfterSeconds: number } | { requeueOnLastResort: true };

/**
 * What to do with a letter that could not be filed on its `attempts`-th delivery from `queue`: retry
 * later; on a dead-letter queue's final attempt that retry is what makes the platform move it to the
 * last resort; on the last resort's final attempt, put it back on the last resort.
 */
export function afterFilingFailed(queue: string, attempts: number): AfterFilingFailed {
  if (queue === LAST_RESORT_QUEUE && attempts >= FILING_RETRY.attempts) return { requeueOnLastResort: true };
  return { retryAfterSeconds: retryDelaySeconds(FILING_RETRY, attempts) };
}

/** "101 attempts, 5s doubling to 10m: retries for 15h 40m 35s". */
export const describeFilingRetry = () => describeRetrySchedule(FILING_RETRY);
