import { byteLength } from "../events/claim-envelope";

/**
 * Queues' limits on one `sendBatch` call: at most 100 messages and 256 KB. Events are small, but a
 * claim-checked catering order's envelope can be up to the claim threshold, and a few of those fill a
 * call. Every sender (outbox, router, redrive, replay) groups its messages here.
 */
const SEND_BATCH_MESSAGES = 100;
const SEND_BATCH_BYTES = 256 * 1024;
/** What Queues counts per message beyond its body. */
const MESSAGE_OVERHEAD_BYTES = 100;

/** UTF-8 bytes of a body already serialised (stored rows). */
export const textBytes = (text: string): number => new TextEncoder().encode(text).byteLength;

/** `items` in groups one `sendBatch` takes, in order; `bodyBytes` says how big each one's body is. */
export function inSendBatches<T>(items: readonly T[], bodyBytes: (item: T) => number): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = bodyBytes(item) + MESSAGE_OVERHEAD_BYTES;
    if (current.length > 0 && (current.length === SEND_BATCH_MESSAGES || bytes + size > SEND_BATCH_BYTES)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

export interface Outgoing {
  body: unknown;
  delaySeconds?: number;
}

/** Sends every message, in as few calls as the limits allow. */
export async function sendAll(queue: Queue, messages: readonly Outgoing[]): Promise<void> {
  for (const batch of inSendBatches(messages, (m) => byteLength(m.body)))
    await queue.sendBatch(
      batch.map((m) => ({
        body: m.body,
        contentType: "json" as const,
        ...(m.delaySeconds ? { delaySeconds: m.delaySeconds } : {}),
      })),
    );
}
