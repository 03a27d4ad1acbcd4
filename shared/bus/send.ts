import { byteLength } from "../events/claim-check";

/**
 * Sends messages to a queue in as few `sendBatch` calls as Queues allows: at most 100 messages and
 * 256 KB a call. Events are small, but a claim-checked catering order's envelope can be up to the claim
 * threshold, and a few of those fill a call.
 */
const SEND_BATCH_MESSAGES = 100;
const SEND_BATCH_BYTES = 256 * 1024;
/** What Queues counts per message beyond its body. */
const MESSAGE_OVERHEAD_BYTES = 100;

export interface Outgoing {
  body: unknown;
  delaySeconds?: number;
}

export async function sendAll(queue: Queue, messages: readonly Outgoing[]): Promise<void> {
  let batch: MessageSendRequest[] = [];
  let bytes = 0;
  const flush = async () => {
    if (batch.length > 0) await queue.sendBatch(batch);
    batch = [];
    bytes = 0;
  };
  for (const m of messages) {
    const size = byteLength(m.body) + MESSAGE_OVERHEAD_BYTES;
    if (batch.length === SEND_BATCH_MESSAGES || (batch.length > 0 && bytes + size > SEND_BATCH_BYTES))
      await flush();
    batch.push({
      body: m.body,
      contentType: "json",
      ...(m.delaySeconds ? { delaySeconds: m.delaySeconds } : {}),
    });
    bytes += size;
  }
  await flush();
}
