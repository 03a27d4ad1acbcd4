import type { DeadLetterRecord } from "../../durable-objects/dead-letters/dead-letter-office";
import { DeadLetter } from "../../shared/bus/dead-letter";
import { LAST_RESORT_QUEUE } from "./filing";

/**
 * What the dead-letter office files for one message from a dead-letter queue. It never throws: a
 * letter that cannot be read (no dead letter, not even JSON) is still filed, as faithfully as text
 * allows, with a reason that says so. Letters written by the consumer harness or the router say why
 * they failed; bare messages moved by the platform after `max_retries` are "retries exhausted".
 */
export type Letter = Omit<DeadLetterRecord, "receivedAt">;

export function letterFrom(message: Message<unknown>, deadLetterQueue: string): Letter {
  try {
    return readLetter(message, deadLetterQueue);
  } catch (error) {
    return {
      messageId: message.id,
      deadLetterQueue,
      queue: "unknown",
      reason: `unreadable letter (${String(error)})`,
      attempts: message.attempts,
      deadLetteredAt: new Date().toISOString(),
      bodyJson: bodyAsJson(message.body).json,
    };
  }
}

function readLetter(message: Message<unknown>, deadLetterQueue: string): Letter {
  const lastResort = deadLetterQueue === LAST_RESORT_QUEUE;
  const written = DeadLetter.safeParse(message.body);
  const letter = written.success
    ? {
        ...written.data,
        reason: lastResort
          ? `${written.data.reason}; then its dead-letter queue's office could not file it (last resort)`
          : written.data.reason,
      }
    : {
        // A bare message on the last resort came from some dead-letter queue, which it does not name.
        queue: lastResort ? "unknown" : deadLetterQueue.replace(/-dlq$/, ""),
        reason: lastResort
          ? "retries exhausted, then its dead-letter queue's office could not file it (last resort)"
          : "retries exhausted: the consumer never acknowledged it",
        attempts: message.attempts,
        deadLetteredAt: message.timestamp.toISOString(),
        body: message.body,
      };
  const body = bodyAsJson(letter.body);
  const fields: Record<string, unknown> = isRecord(letter.body) ? letter.body : {};
  return {
    messageId: message.id,
    deadLetterQueue,
    queue: letter.queue,
    reason: body.notJson ? `${letter.reason}; body is not JSON: ${body.notJson}` : letter.reason,
    attempts: letter.attempts,
    ...(typeof fields.type === "string" ? { eventType: fields.type } : {}),
    ...(typeof fields.id === "string" ? { eventId: fields.id } : {}),
    deadLetteredAt: letter.deadLetteredAt,
    bodyJson: body.json,
  };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null;

/**
 * The longest body a letter keeps: well inside the 2 MB a Durable Object's SQLite row may hold. A queue
 * message is at most 128 KB, but a "v8" body (a sparse array, say) can grow far beyond that as JSON.
 */
export const MAX_BODY_JSON_CHARS = 512 * 1024;

/**
 * The body as JSON text: exactly what arrived when it is JSON (every message sent as "json" is).
 * A body sent otherwise ("bytes", "v8") is written as closely as JSON can, and `notJson` says what
 * had to be changed: bytes as base64, a BigInt as its digits, a Map or Set as its entries, a
 * repeated or circular reference as a marker; nothing at all as null. Longer text is cut and kept as
 * `{ truncatedJson, length }`, so every letter fits in its office.
 */
export function bodyAsJson(body: unknown): { json: string; notJson?: string } {
  const { json, notJson } = asJson(body);
  if (json.length <= MAX_BODY_JSON_CHARS) return notJson ? { json, notJson } : { json };
  const cut = `cut to its first ${MAX_BODY_JSON_CHARS} of ${json.length} characters`;
  return {
    json: JSON.stringify({ truncatedJson: json.slice(0, MAX_BODY_JSON_CHARS), length: json.length }),
    notJson: notJson ? `${notJson}; ${cut}` : cut,
  };
}

function asJson(body: unknown): { json: string; notJson?: string } {
  const changed = new Set<string>();
  const seen = new WeakSet<object>();
  const base64 = (bytes: Uint8Array) => btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(""));
  const as = (what: string, value: unknown) => {
    changed.add(what);
    return value;
  };
  const replacer = (_key: string, value: unknown): unknown => {
    if (typeof value === "bigint") return as("a BigInt as a string", value.toString());
    if (typeof value !== "object" || value === null) return value;
    if (value instanceof ArrayBuffer) return as("bytes as base64", { base64: base64(new Uint8Array(value)) });
    if (ArrayBuffer.isView(value))
      return as("bytes as base64", {
        base64: base64(new Uint8Array(value.buffer, value.byteOffset, value.byteLength)),
      });
    if (seen.has(value)) return as("a repeated or circular reference", "[repeated reference]");
    seen.add(value);
    if (value instanceof Map) return as("a Map as its entries", [...value]);
    if (value instanceof Set) return as("a Set as its values", [...value]);
    if (value instanceof Error) return as("an Error", { name: value.name, message: value.message });
    return value;
  };
  try {
    const json = JSON.stringify(body, replacer);
    if (json === undefined) return { json: "null", notJson: `a ${typeof body} body, kept as null` };
    return changed.size > 0 ? { json, notJson: [...changed].join(", ") } : { json };
  } catch (error) {
    let text: string;
    try {
      text = String(body);
    } catch {
      text = Object.prototype.toString.call(body);
    }
    return { json: JSON.stringify(text), notJson: `kept as text (${String(error)})` };
  }
}
