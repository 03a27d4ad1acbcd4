/**
 * The claim check's envelope side, with no storage: the setting, the dataref format and the envelope as
 * it travels. The R2 side is claim-check.ts (which says what the pattern is for).
 */
/** Envelopes above this many bytes (UTF-8 JSON) are claim-checked: safely under the 128 KB message limit. */
export const CLAIM_CHECK_THRESHOLD_BYTES = 96 * 1024;
/** Cloudflare Queues' largest message, the envelope and ~100 bytes of metadata included. */
export const QUEUE_MESSAGE_LIMIT_BYTES = 128 * 1024;
/** How long a claim is kept (the bucket's lifecycle rule): the archive keeps events 365 days. */
export const CLAIM_RETENTION_DAYS = 400;

/** The bucket, as every producer and consumer binds it. */
export const CLAIMS_BUCKET = "pizza-event-claims";
export const DATAREF_PREFIX = `r2://${CLAIMS_BUCKET}/claims/`;

/** Any CloudEvents envelope as it is checked in or resolved: what matters here is its data. */
export type Envelope = { data?: unknown; dataref?: unknown; type?: unknown; id?: unknown };

const encoder = new TextEncoder();
export const byteLength = (value: unknown): number => encoder.encode(JSON.stringify(value)).byteLength;

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The claim's R2 key, from a dataref this system wrote; undefined for anything else. */
export function claimKeyOf(dataref: unknown): string | undefined {
  if (typeof dataref !== "string" || !dataref.startsWith(DATAREF_PREFIX)) return undefined;
  const hash = dataref.slice(DATAREF_PREFIX.length);
  return /^[0-9a-f]{64}$/.test(hash) ? `claims/${hash}` : undefined;
}

/** The envelope as it travels with a claim check: everything but `data`, and where the data is. */
export function claimedEnvelope(event: Envelope, dataHash: string): Envelope {
  const { data: _claimed, ...envelope } = event;
  return { ...envelope, dataref: `${DATAREF_PREFIX}${dataHash}` };
}
