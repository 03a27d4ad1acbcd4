import { env } from "cloudflare:workers";
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";

/** A message as the platform hands it to a consumer: its body, with the id and attempt count it has. */
export interface TestMessage {
  body: unknown;
  id?: string;
  attempts?: number;
}

interface QueueWorker {
  queue?: (batch: MessageBatch<unknown>, env: never, ctx: ExecutionContext) => unknown;
}

/**
 * A worker's queue handler fed real message batches from `queue` (through the vitest plugin's
 * `createMessageBatch`), answering with what the handler acked and retried, as the platform records it.
 */
export function queueConsumer(worker: QueueWorker, queue: string) {
  async function deliverMessages(messages: TestMessage[]) {
    const batch = createMessageBatch<unknown>(
      queue,
      messages.map((m) => ({
        id: m.id ?? crypto.randomUUID(),
        timestamp: new Date(),
        attempts: m.attempts ?? 1,
        body: m.body,
      })),
    );
    const ctx = createExecutionContext();
    await worker.queue!(batch, env as never, ctx);
    return getQueueResult(batch, ctx);
  }
  return {
    /** One message, on its `attempts`th delivery (the first by default). */
    deliver: (body: unknown, attempts = 1) => deliverMessages([{ body, attempts }]),
    /** Several bodies in one batch, each on its first delivery. */
    deliverBatch: (bodies: unknown[]) => deliverMessages(bodies.map((body) => ({ body }))),
    /** Messages with the ids and attempt counts a test chooses, in one batch. */
    deliverMessages,
  };
}
