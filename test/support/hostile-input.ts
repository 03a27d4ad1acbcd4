import fc from "fast-check";
import { sign } from "hono/jwt";
import { MAX_TOKEN_LIFETIME_SECONDS, type Role } from "../../shared/auth/token";

/**
 * fast-check arbitraries for what a hostile or broken client sends: text no field accepts, bodies that
 * are not JSON or JSON of the wrong shape, very deep documents, tokens that must not be accepted, and
 * content types that are not JSON. Used by test/orders/hostile-input.test.ts.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
/** Where a value sits in a document: keys and array indexes. */
export type JsonPath = (string | number)[];

/**
 * Characters that make any value they are in invalid for a field with a fixed vocabulary (an enum, an id,
 * a date, a number, a country code): lone surrogates, bidirectional overrides and marks, zero-width
 * characters, NUL, a non-character and a combining mark. None is whitespace to JavaScript, so no
 * trim() or Number() quietly removes it.
 */
export const ALWAYS_ODD = [
  "\uD800",
  "\uDBFF",
  "\uDC00",
  "\uDFFF",
  "\u202E",
  "\u202D",
  "\u200F",
  "\u061C",
  "\u200B",
  "\u200C",
  "\u200D",
  "\u2060",
  "\u0000",
  "\uFFFF",
  "\u0301",
] as const;
/** Odd too, but trimmed away as whitespace (BOM, no-break and line separators) or merely unusual. */
const SOMETIMES_ODD = ["\uFEFF", "\u00A0", "\u2028", "\u3000", "😀", "👩‍🍳", "ﷺ", "ß", "İ", "\u0130"];

const oddChunk = fc.string({
  unit: fc.oneof(fc.constantFrom(...ALWAYS_ODD, ...SOMETIMES_ODD), fc.string({ minLength: 1, maxLength: 1 })),
  maxLength: 12,
});

/** Text with at least one character no fixed-vocabulary field accepts. */
export const oddText: fc.Arbitrary<string> = fc
  .tuple(oddChunk, fc.constantFrom(...ALWAYS_ODD), oddChunk)
  .map(([before, odd, after]) => before + odd + after);

/** Text far longer than any field allows (every field's limit is far below 1,000 characters). */
export const hugeText: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 1_000, max: 30_000 }), fc.constantFrom("x", "é", "😀", "\u202E", "\u0000"))
  .map(([length, unit]) => unit.repeat(Math.ceil(length / unit.length)));

export const hostileText = fc.oneof(oddText, hugeText);

/**
 * Percent-encodes every code point but the unreserved ASCII ones, as UTF-8; a lone surrogate as the
 * three bytes it would have (WTF-8), which are not valid UTF-8: what a client may really put in a URL.
 */
export function percentEncode(text: string): string {
  let out = "";
  for (const ch of text) {
    if (/^[A-Za-z0-9\-._~]$/.test(ch)) {
      out += ch;
      continue;
    }
    const cp = ch.codePointAt(0)!;
    const bytes =
      cp < 0x80
        ? [cp]
        : cp < 0x800
          ? [0xc0 | (cp >> 6), 0x80 | (cp & 0x3f)]
          : cp < 0x10000
            ? [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)]
            : [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)];
    out += bytes.map((b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`).join("");
  }
  return out;
}

/** A URL path segment or query value: odd text, broken percent-encoding, or far too long. */
export const hostileUrlPart: fc.Arbitrary<string> = fc.oneof(
  oddText.map(percentEncode),
  fc.constantFrom("%", "%%", "%zz", "%00", "%ED%A0%80", "%C0%AF", "%FF%FE", "%E2%80%AE", "%F4%90%80%80"),
  fc
    .tuple(fc.string({ maxLength: 6 }), fc.constantFrom("%", "%E2%80", "%ED%B0%80"))
    .map(([text, broken]) => percentEncode(text) + broken),
  hugeText.map(percentEncode),
);

const parses = (text: string) => {
  try {
    // Request.json() drops a leading byte-order mark, as the Encoding standard says.
    JSON.parse(text.replace(/^\uFEFF/, ""));
    return true;
  } catch {
    return false;
  }
};

/** Text sent as JSON that is not JSON: truncated, with junk inserted, or anything at all. */
export const malformedJson: fc.Arbitrary<string> = fc
  .oneof(
    fc.constantFrom(
      "",
      " ",
      "{",
      "}",
      "[",
      "{'items': []}",
      '{"items": [1,]}',
      '{"a":1}}',
      '{"a":1,}',
      "NaN",
      "Infinity",
      "undefined",
      '{"a": 01}',
      "[1 2]",
      '"unterminated',
      '{"a":"\\x"}',
      '{"a":"\\uD8"}',
      "// a comment\n{}",
      "\u0000",
      "tru",
      "nul",
      '{"items":[{"recipeId":"margherita","quantity":1}],"fulfilment":"collection"',
      '{"__proto__":',
    ),
    fc.tuple(fc.json(), fc.nat()).map(([json, cut]) => json.slice(0, cut % Math.max(json.length, 1))),
    fc
      .tuple(
        fc.json(),
        fc.constantFrom(",", "}", "]", ":", "'", "\\", "\u0000", "\uD800", "\u202E"),
        fc.nat(),
      )
      .map(([json, junk, at]) => {
        const i = at % (json.length + 1);
        return json.slice(0, i) + junk + json.slice(i);
      }),
    fc.string({ unit: "binary", maxLength: 200 }),
  )
  .filter((text) => !parses(text));

/** A document nested `depth` deep, written by hand (JSON.stringify would recurse as deep). */
export const deepJson: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 100, max: 15_000 }), fc.constantFrom("array", "object", "mixed"))
  .map(([depth, kind]) => {
    if (kind === "array") return "[".repeat(depth) + "]".repeat(depth);
    if (kind === "object") {
      const levels = Math.min(depth, 6_000);
      return '{"a":'.repeat(levels) + "1" + "}".repeat(levels);
    }
    const levels = Math.min(depth, 5_000);
    return '[{"a":'.repeat(levels) + "null" + "}]".repeat(levels);
  });

const kindOf = (value: unknown) => (value === null ? "null" : Array.isArray(value) ? "array" : typeof value);

/** Every path into a document, its root excepted. */
export function pathsOf(value: Json, at: JsonPath = []): JsonPath[] {
  if (value === null || typeof value !== "object") return [];
  const entries: [string | number, Json][] = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : Object.entries(value);
  return entries.flatMap(([key, v]) => [[...at, key], ...pathsOf(v, [...at, key])]);
}

const valueAt = (doc: Json, path: JsonPath): Json =>
  path.reduce<Json>((v, key) => (v as Record<string | number, Json>)[key]!, doc);

/** A copy of `doc` with the value at `path` replaced (or, with `undefined`, removed). */
export function withValueAt(doc: Json, path: JsonPath, value: Json | undefined): Json {
  const copy = structuredClone(doc);
  const parent = valueAt(copy, path.slice(0, -1)) as Record<string | number, Json> | Json[];
  const key = path.at(-1)!;
  if (value === undefined) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  } else {
    // defineProperty, so a key such as __proto__ becomes a field rather than a prototype.
    Object.defineProperty(parent, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return copy;
}

const extraKey = fc.oneof(
  fc.constantFrom("__proto__", "constructor", "prototype", "price", "total", "status", "customerId", ""),
  fc.string({ maxLength: 20 }),
  oddText,
);

/**
 * JSON text of the wrong shape for a body like `valid`: a field missing, an extra field, a field of
 * the wrong type, odd or huge text where only a known value fits (`vocabulary`), or a document that is
 * not an object at all. Every field of `valid` is required, and its objects take no unknown fields.
 */
export function wrongShapes(
  valid: Json,
  vocabulary: JsonPath[],
): fc.Arbitrary<{ how: string; json: string }> {
  const paths = pathsOf(valid);
  const objectPaths = [[], ...paths].filter((p) => kindOf(valueAt(valid, p)) === "object");
  const shaped = (how: string, doc: Json) => ({ how, json: JSON.stringify(doc) });
  return fc.oneof(
    fc
      .constantFrom(...paths)
      .map((path) => shaped(`without ${path.join(".")}`, withValueAt(valid, path, undefined))),
    fc
      .tuple(fc.constantFrom(...objectPaths), extraKey, fc.jsonValue() as fc.Arbitrary<Json>)
      .filter(([path, key]) => !Object.hasOwn(valueAt(valid, path) as object, key))
      .map(([path, key, value]) =>
        shaped(`extra ${[...path, key].join(".")}`, withValueAt(valid, [...path, key], value)),
      ),
    fc
      .tuple(fc.constantFrom(...paths), fc.jsonValue() as fc.Arbitrary<Json>)
      .filter(([path, value]) => kindOf(value) !== kindOf(valueAt(valid, path)))
      .map(([path, value]) => shaped(`${path.join(".")} of the wrong type`, withValueAt(valid, path, value))),
    ...(vocabulary.length
      ? [
          fc
            .tuple(fc.constantFrom(...vocabulary), hostileText)
            .map(([path, text]) => shaped(`odd ${path.join(".")}`, withValueAt(valid, path, text))),
        ]
      : []),
    (fc.jsonValue() as fc.Arbitrary<Json>)
      .filter((value) => kindOf(value) !== "object")
      .map((value) => shaped("not an object", value)),
  );
}

/** `valid` with a very deep document in place of one of its fields, or as the whole body. */
export function deepBodies(valid: Json): fc.Arbitrary<{ how: string; json: string }> {
  const mark = "\u0000deep\u0000";
  return fc.tuple(fc.constantFrom<JsonPath>([], ...pathsOf(valid)), deepJson).map(([path, deep]) =>
    path.length === 0
      ? { how: "deep document", json: deep }
      : {
          how: `deep ${path.join(".")}`,
          json: JSON.stringify(withValueAt(valid, path, mark)).replace(JSON.stringify(mark), deep),
        },
  );
}

/**
 * A header value a client could send. ASCII only: workerd's Request takes header values as text and
 * would send any other character as UTF-8 bytes, with a warning, not as the byte a client would send.
 */
export const asciiHeader = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 80,
});

/** Content-Type values that are not JSON (or none at all, `undefined`). */
export const notJsonContentType: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom(
    "",
    "text/plain",
    "text/plain; charset=utf-8",
    "text/json",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=pizza",
    "application/xml",
    "application/jsonp",
    "application/json5",
    "application/octet-stream",
    "json",
    "application/",
    "*/*",
  ),
  // Anything printable that does not say json.
  asciiHeader.filter((type) => !/json/i.test(type)),
);

/**
 * A bearer token (or Authorization header) that must not be accepted, described so the property can
 * print it; `authorizationFor` signs it. Each flaw comes alone: the rest is what `role` needs.
 */
export type BadToken =
  | { flaw: "no Authorization header" }
  | { flaw: "not a bearer header"; header: string }
  | { flaw: "not a token"; token: string }
  | { flaw: "expired"; secondsAgo: number }
  | { flaw: "signed with another secret"; secret: string }
  | { flaw: "alg none"; signature: string }
  | { flaw: "another algorithm"; alg: "HS384" | "HS512" }
  | { flaw: "claims changed after signing"; role: Role | "admin" }
  | { flaw: "bad claims"; claims: Record<string, Json> | Json }
  | { flaw: "no exp"; withIat: boolean }
  | { flaw: "lives too long"; extraSeconds: number; withIat: boolean }
  | { flaw: "issued in the future"; secondsAhead: number };

const base64urlish = fc.string({ unit: fc.constantFrom(..."ABCxyz019-_.=+/ ".split("")), maxLength: 120 });

/** Claims that are not a principal: no sub, an empty or too long one, an unknown role, not an object. */
const badClaims: fc.Arbitrary<Record<string, Json> | Json> = fc.oneof(
  fc.constant({}),
  fc.record({ sub: fc.constantFrom("", "x".repeat(129)) }),
  fc.record({ sub: fc.integer() }),
  fc.record({
    sub: fc.constant("someone"),
    role: fc.constantFrom("admin", "root", "Operator", "", "customer "),
  }),
  fc.record({
    sub: fc.constant("someone"),
    role: fc.jsonValue().filter((r) => typeof r !== "string"),
  }) as fc.Arbitrary<Record<string, Json>>,
  fc.constantFrom<Json>("just a string", 42, [], ["sub"], true),
);

export const badTokens: fc.Arbitrary<BadToken> = fc.oneof(
  fc.constant({ flaw: "no Authorization header" as const }),
  fc.record({
    flaw: fc.constant("not a bearer header" as const),
    header: fc.oneof(
      fc.constantFrom(
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Token abc",
        "Bearer a b",
        "bearer",
        "Bearer\t",
      ),
      asciiHeader,
    ),
  }),
  fc.record({ flaw: fc.constant("not a token" as const), token: base64urlish.filter((t) => /\S/.test(t)) }),
  fc.record({ flaw: fc.constant("expired" as const), secondsAgo: fc.integer({ min: 1, max: 10_000_000 }) }),
  fc.record({
    flaw: fc.constant("signed with another secret" as const),
    secret: fc.string({ minLength: 1 }),
  }),
  fc.record({ flaw: fc.constant("alg none" as const), signature: fc.constantFrom("", "c2lnbmF0dXJl") }),
  fc.record({
    flaw: fc.constant("another algorithm" as const),
    alg: fc.constantFrom("HS384" as const, "HS512" as const),
  }),
  fc.record({
    flaw: fc.constant("claims changed after signing" as const),
    role: fc.constantFrom<Role | "admin">("operator", "staff", "analyst", "admin"),
  }),
  fc.record({ flaw: fc.constant("bad claims" as const), claims: badClaims }),
  fc.record({ flaw: fc.constant("no exp" as const), withIat: fc.boolean() }),
  fc.record({
    flaw: fc.constant("lives too long" as const),
    extraSeconds: fc.integer({ min: 60, max: 100_000_000 }),
    withIat: fc.boolean(),
  }),
  fc.record({
    flaw: fc.constant("issued in the future" as const),
    secondsAhead: fc.integer({ min: 60, max: 1_000_000 }),
  }),
);

const part = (json: unknown) =>
  btoa(String.fromCharCode(...new TextEncoder().encode(JSON.stringify(json))))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");

/** The Authorization header carrying `bad` for `sub` acting as `role` (undefined: no header). */
export async function authorizationFor(
  bad: BadToken,
  secret: string,
  sub: string,
  role: Role,
): Promise<string | undefined> {
  const now = Math.floor(Date.now() / 1000);
  const fine = { sub, role, iat: now, exp: now + 600 };
  const signed = (payload: unknown, key = secret, alg: "HS256" | "HS384" | "HS512" = "HS256") =>
    sign(payload as Record<string, unknown>, key, alg);
  switch (bad.flaw) {
    case "no Authorization header":
      return undefined;
    case "not a bearer header":
      return bad.header;
    case "not a token":
      return `Bearer ${bad.token}`;
    case "expired":
      return `Bearer ${await signed({ sub, role, iat: now - bad.secondsAgo - 600, exp: now - bad.secondsAgo })}`;
    case "signed with another secret":
      // Should the generated secret be the real one, it is made another.
      return `Bearer ${await signed(fine, bad.secret === secret ? `${secret}!` : bad.secret)}`;
    case "alg none":
      return `Bearer ${part({ alg: "none", typ: "JWT" })}.${part(fine)}.${bad.signature}`;
    case "another algorithm":
      return `Bearer ${await signed(fine, secret, bad.alg)}`;
    case "claims changed after signing": {
      const [header, , signature] = (await signed(fine)).split(".");
      return `Bearer ${header}.${part({ ...fine, role: bad.role, sub: `${sub}-x` })}.${signature}`;
    }
    case "bad claims":
      return `Bearer ${await signed(
        bad.claims !== null && typeof bad.claims === "object" && !Array.isArray(bad.claims)
          ? { iat: now, exp: now + 600, ...bad.claims }
          : bad.claims,
      )}`;
    case "no exp":
      return `Bearer ${await signed(bad.withIat ? { sub, role, iat: now } : { sub, role })}`;
    case "lives too long": {
      const exp = now + MAX_TOKEN_LIFETIME_SECONDS[role] + bad.extraSeconds;
      return `Bearer ${await signed(bad.withIat ? { sub, role, iat: now, exp } : { sub, role, exp })}`;
    }
    case "issued in the future":
      return `Bearer ${await signed({ sub, role, iat: now + bad.secondsAhead, exp: now + bad.secondsAhead + 600 })}`;
  }
}
