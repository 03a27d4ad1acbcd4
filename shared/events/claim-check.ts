/**
 * The claim check (the talk's pattern for big payloads): an event whose envelope would be too big for a
 * queue message (128 KB on Cloudflare Queues) travels without its `data`; the data is stored once in
 * R2 and the envelope carries where, in the CloudEvents `dataref` extension. Publishers check in
 * (`checkIn`, in every outbox); the router and the consumer harness resolve (`claimedData`) before any
 * validation or handler runs, so business code never knows.
 *
 * - Written once, content-addressed: the key is the SHA-256 of the data, so the same data (a retry, a
 *   v1 derived beside its v2 with equal data) is stored once and a claim can never change under a reader;
 *   an object that exists already is not written again (R2 allows about one write a second per key).
 * - A claim is read back only if its content still hashes to its key.
 * - Claims expire by an R2 lifecycle rule on the bucket (CLAIM_RETENTION_DAYS; wrangler.toml cannot set
 *   one): longer than the archive is kept, so any archived event can still be replayed with its data.
 */
import {
  byteLength,
  CLAIM_CHECK_THRESHOLD_BYTES,
  CLAIM_RETENTION_DAYS,
  CLAIMS_BUCKET,
  claimedEnvelope,
  claimKeyOf,
  sha256Hex,
  type Envelope,
} from "./claim-envelope";
import { readEvent, type ReadResult } from "./envelope";

export { byteLength, CLAIM_CHECK_THRESHOLD_BYTES, QUEUE_MESSAGE_LIMIT_BYTES } from "./claim-envelope";

/** Where a worker finds the claims: the EVENT_CLAIMS R2 binding (absent in a worker that never needs it). */
export interface ClaimSettings {
  EVENT_CLAIMS?: R2Bucket;
}

/**
 * The envelope to put on a queue: the event as it is when it fits under `thresholdBytes`, otherwise
 * without `data` and with a `dataref` to the data, stored in `bucket` (once). Without a bucket a big
 * event is returned as it is: the queue refuses it, and the outbox quarantines the row.
 */
export async function checkIn(
  event: Envelope,
  bucket: R2Bucket | undefined,
  thresholdBytes = CLAIM_CHECK_THRESHOLD_BYTES,
): Promise<Envelope> {
  if (!bucket || byteLength(event) <= thresholdBytes || event.data === undefined) return event;
  const json = JSON.stringify(event.data);
  const hash = await sha256Hex(json);
  const key = `claims/${hash}`;
  if (!(await bucket.head(key))) {
    await bucket.put(key, json, {
      httpMetadata: { contentType: "application/json" },
      customMetadata: { type: String(event.type), firstEventId: String(event.id) },
    });
  }
  return claimedEnvelope(event, hash);
}

/** Why a claim could not be resolved: retrying cannot help, so the message is dead-lettered with this. */
export class UnresolvableClaim extends Error {}

/**
 * The envelope with its data back, for a claim-checked one (the dataref removed: the event is whole
 * again); any other body as it is. Throws UnresolvableClaim when the claim is not ours, gone (expired)
 * or altered; other errors (R2 unavailable) are transient and worth a retry.
 */
export async function claimedData(body: unknown, bucket: R2Bucket | undefined): Promise<unknown> {
  if (typeof body !== "object" || body === null) return body;
  const envelope = body as Envelope;
  if (envelope.dataref === undefined || envelope.data !== undefined) return body;
  const key = claimKeyOf(envelope.dataref);
  if (!key)
    throw new UnresolvableClaim(`dataref ${String(envelope.dataref)} is not a claim of ${CLAIMS_BUCKET}`);
  if (!bucket) throw new Error("this worker has no EVENT_CLAIMS binding to resolve a claim-checked event");
  const object = await bucket.get(key);
  if (!object)
    throw new UnresolvableClaim(`claim ${key} is gone (expired after ${CLAIM_RETENTION_DAYS} days?)`);
  const json = await object.text();
  if (`claims/${await sha256Hex(json)}` !== key)
    throw new UnresolvableClaim(`claim ${key} does not match its hash`);
  const { dataref: _resolved, ...rest } = envelope;
  return { ...rest, data: JSON.parse(json) as unknown };
}

/**
 * `readEvent` for a message body that may be claim-checked: its data fetched and checked first. An
 * unresolvable claim is an invalid event (dead-letter it with the reason); a claims bucket that does
 * not answer is worth a retry ("retry").
 */
export async function readClaimedEvent(
  body: unknown,
  bucket: R2Bucket | undefined,
): Promise<ReadResult | { ok: "retry"; reason: string }> {
  try {
    return readEvent(await claimedData(body, bucket));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (!(error instanceof UnresolvableClaim)) return { ok: "retry", reason: `claim not read: ${reason}` };
    const hint = body as { type?: unknown; id?: unknown };
    return {
      ok: false,
      reason,
      type: typeof hint.type === "string" ? hint.type : undefined,
      id: typeof hint.id === "string" ? hint.id : undefined,
    };
  }
}
