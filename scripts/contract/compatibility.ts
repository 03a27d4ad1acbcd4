/**
 * Compares two versions of one event's data schema (JSON Schema, as zod 4's `z.toJSONSchema` prints it)
 * and lists every change with its direction. Pure: no file system, no zod.
 *
 * THE COMPATIBILITY RULE. A change to a published version is compatible only if both hold:
 *  1. every event valid under the new schema is readable by a reader of the old one (readers deployed
 *     before the change validate with the old schema and dead-letter what it rejects), and
 *  2. every event valid under the old one (already in queues, replayed, redriven from a dead letter)
 *     still validates under the new one.
 * So a change that makes the schema *stricter* breaks (2), one that makes it *looser* breaks (1), and a
 * change of type breaks both. Under this rule almost every constraint is frozen once published.
 *
 * OPEN AND CLOSED OBJECTS. Producers are closed: `createEvent` parses with the schema, and a zod object
 * strips what it does not declare, so a producer never sends a property its schema does not allow.
 * Readers are open: `readEvent` parses with z.object, which ignores (strips) unknown properties. Hence
 * adding an OPTIONAL property is safe (no old event carries it; old readers ignore it) and removing an
 * optional property is safe (new producers stop sending it; old readers never required it), whatever
 * `additionalProperties` zod prints. zod prints `additionalProperties: false` for a z.object because
 * that describes what the producer *sends*, not what readers accept; a generic JSON Schema validator
 * that enforced it on a reader would turn every new optional field into a breaking change, which is
 * the mistake Confluent's JSON Schema rules are known for. The exceptions are stated where they arise:
 * where a schema is not closed on the producer side (`additionalProperties` is not `false`: a
 * z.looseObject or a catchall), producers pass unknown properties through, so adding or removing an
 * optional property there is not provably safe and is reported as breaking.
 *
 * EXTENSIBLE ENUMS. Readers validate with the schema they were built with, so a z.enum rejects a value
 * it does not list, whatever metadata says. An enum is extensible only if its readers accept any string:
 * declare it as `z.string().meta({ "x-extensible-enum": ["a", "b"] })` (the Zalando convention: the
 * type is string; the list names the values known today). Adding a value to that list is compatible
 * (readers already accept every string and must treat an unknown value as "other"); adding a value to a
 * z.enum is breaking, also when the z.enum carries `x-extensible-enum: true`.
 */

export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };
export type JsonObject = { readonly [key: string]: Json };
/** A JSON Schema node: an object, or `true` (anything) / `false` (nothing). */
export type JsonSchema = boolean | JsonObject;

/**
 * - `stricter`: breaks rule 2 (old events may fail the new schema);
 * - `looser`: breaks rule 1 (new events may fail old readers);
 * - `incompatible`: breaks both;
 * - `compatible`: allowed, and recorded by `npm run schemas:release`.
 */
export type Direction = "stricter" | "looser" | "incompatible" | "compatible";

export interface SchemaChange {
  /** Where, as a consumer writes it: `data.total`, `data.items[].quantity`, `data.tags.*` (any other key). */
  path: string;
  /** What changed, in a few words: "type changed", "required field removed", "maxLength raised", … */
  change: string;
  was: string;
  now: string;
  direction: Direction;
  /** Why, where the open/closed rule or the extensible-enum rule matters. */
  note?: string;
}

export const isBreaking = (c: SchemaChange) => c.direction !== "compatible";

export const DIRECTION_EXPLAINED: Record<Direction, string> = {
  stricter:
    "stricter: events valid under the old schema (already in queues, replays, redriven dead letters) may fail the new one",
  looser:
    "looser: events valid under the new schema may be rejected, and dead-lettered, by readers still validating with the old one",
  incompatible:
    "incompatible: new events may fail old readers, and events already published may fail the new schema",
  compatible: "compatible",
};

/** Keywords that describe but never validate: their changes are not contract changes. */
const ANNOTATIONS = new Set([
  "$schema",
  "$id",
  "$comment",
  "$anchor",
  "title",
  "description",
  "examples",
  "example",
  "default",
  "deprecated",
  "readOnly",
  "writeOnly",
]);
export const EXTENSIBLE_ENUM = "x-extensible-enum";

/** Keywords this comparator understands; any other keyword that changes is reported as incompatible. */
const HANDLED = new Set([
  "type",
  "enum",
  "const",
  EXTENSIBLE_ENUM,
  "minimum",
  "exclusiveMinimum",
  "maximum",
  "exclusiveMaximum",
  "multipleOf",
  "minLength",
  "maxLength",
  "pattern",
  "format",
  "items",
  "prefixItems",
  "minItems",
  "maxItems",
  "uniqueItems",
  "properties",
  "required",
  "additionalProperties",
]);
const ALTERNATIVES = ["anyOf", "oneOf"] as const;
/** Compared through the references that use them. */
const UNCOMPARED = new Set(["$ref", "$defs", "definitions"]);

// ---- JSON helpers -----------------------------------------------------------------------------------

const isObject = (v: Json | undefined): v is JsonObject =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function canonical(value: Json | undefined): string {
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (isObject(value))
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(",")}}`;
  return JSON.stringify(value);
}
const same = (a: Json | undefined, b: Json | undefined) => canonical(a) === canonical(b);

/**
 * A schema without what does not validate, at every depth: annotations and x- extensions (the list of an
 * extensible enum names values its readers know; they accept any string anyway). With `keepEnumLists`,
 * those lists stay, so that a change to one is found (and recorded as compatible).
 */
function withoutAnnotations(schema: Json, keepEnumLists = false): Json {
  if (Array.isArray(schema)) return schema.map((s) => withoutAnnotations(s, keepEnumLists));
  if (!isObject(schema)) return schema;
  const out: Record<string, Json> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (ANNOTATIONS.has(key) || (key.startsWith("x-") && !(keepEnumLists && key === EXTENSIBLE_ENUM)))
      continue;
    // `properties` maps names to schemas: its keys are property names, not keywords.
    out[key] =
      key === "properties" && isObject(value)
        ? mapValues(value, (v) => withoutAnnotations(v, keepEnumLists))
        : withoutAnnotations(value, keepEnumLists);
  }
  return out;
}
const mapValues = (o: JsonObject, f: (v: Json) => Json): JsonObject =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));

export function show(value: Json | undefined): string {
  if (value === undefined) return "absent";
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(show).join(", ")}]`;
  if (isObject(value)) return JSON.stringify(value);
  return String(value);
}

// ---- Types ------------------------------------------------------------------------------------------

const ALL_TYPES = ["null", "boolean", "object", "array", "number", "string"] as const;

/** The JSON types a schema node admits (integer is a subset of number). */
function typesOf(schema: JsonObject): Set<string> {
  const t = schema.type;
  if (typeof t === "string") return new Set([t]);
  if (Array.isArray(t)) return new Set(t.filter((x): x is string => typeof x === "string"));
  const values = "const" in schema ? [schema.const] : Array.isArray(schema.enum) ? schema.enum : undefined;
  if (values) return new Set(values.map(jsonType));
  return new Set(ALL_TYPES);
}
function jsonType(v: Json | undefined): string {
  if (v === null || v === undefined) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}
/** Is every value of type `a` also of one of `types`? */
const covered = (a: string, types: Set<string>) => types.has(a) || (a === "integer" && types.has("number"));
const subset = (a: Set<string>, b: Set<string>) => [...a].every((t) => covered(t, b));
const showTypes = (s: Set<string>) => (s.size === ALL_TYPES.length ? "any type" : [...s].sort().join(" | "));

// ---- The comparison ---------------------------------------------------------------------------------

interface Context {
  oldRoot: JsonSchema;
  newRoot: JsonSchema;
  /** $ref pairs already being compared: recursive schemas compare once. */
  seen: Set<string>;
  changes: SchemaChange[];
}

/**
 * Every change between the old and new data schema of one event type and version, rooted at `data`.
 * Only `compatible` changes mean the version can be released as it is.
 */
export function compareSchemas(oldSchema: JsonSchema, newSchema: JsonSchema, root = "data"): SchemaChange[] {
  const ctx: Context = { oldRoot: oldSchema, newRoot: newSchema, seen: new Set(), changes: [] };
  compare(oldSchema, newSchema, root, ctx);
  return ctx.changes;
}

function resolve(schema: JsonSchema, root: JsonSchema): { schema: JsonSchema; ref?: string } {
  let current = schema;
  let ref: string | undefined;
  for (let hops = 0; isObject(current) && typeof current.$ref === "string" && hops < 32; hops++) {
    ref = current.$ref;
    current = pointer(root, ref);
  }
  return { schema: current, ref };
}
function pointer(root: JsonSchema, ref: string): JsonSchema {
  if (ref === "#") return root;
  if (!ref.startsWith("#/"))
    throw new Error(`cannot resolve $ref ${ref}: only local references are supported`);
  let node: Json = root;
  for (const raw of ref.slice(2).split("/")) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    node = isObject(node) ? (node[key] as Json) : Array.isArray(node) ? (node[Number(key)] as Json) : null;
    if (node === undefined || node === null) throw new Error(`cannot resolve $ref ${ref}`);
  }
  if (typeof node !== "boolean" && !isObject(node)) throw new Error(`$ref ${ref} is not a schema`);
  return node;
}

const asObject = (s: JsonSchema): JsonObject => (s === true ? {} : s === false ? { not: {} } : s);

function compare(oldIn: JsonSchema, newIn: JsonSchema, path: string, ctx: Context): void {
  const o = resolve(oldIn, ctx.oldRoot);
  const n = resolve(newIn, ctx.newRoot);
  if (o.ref !== undefined || n.ref !== undefined) {
    const key = `${o.ref ?? path}|${n.ref ?? path}`;
    if (ctx.seen.has(key)) return;
    ctx.seen.add(key);
  }
  const oldS = asObject(o.schema);
  const newS = asObject(n.schema);
  extensibleEnumNotes(oldS, newS, path, ctx);
  if (same(withoutAnnotations(oldS, true), withoutAnnotations(newS, true))) return;
  const add = (change: Omit<SchemaChange, "path">) => ctx.changes.push({ path, ...change });

  // Unions (and anything else combined): compared alternative by alternative when they line up.
  if (ALTERNATIVES.some((k) => k in oldS || k in newS) || "allOf" in oldS || "allOf" in newS) {
    compareCombined(oldS, newS, path, ctx, add);
    return;
  }

  // Type.
  const oldTypes = typesOf(oldS);
  const newTypes = typesOf(newS);
  const typeChange = { was: showTypes(oldTypes), now: showTypes(newTypes) };
  const narrower = subset(newTypes, oldTypes);
  const wider = subset(oldTypes, newTypes);
  if (!(narrower && wider)) {
    if (narrower) add({ change: "type narrowed", ...typeChange, direction: "stricter" });
    else if (wider) add({ change: "type widened", ...typeChange, direction: "looser" });
    else {
      add({ change: "type changed", ...typeChange, direction: "incompatible" });
      return; // a different type: what its keywords did no longer matters
    }
  }

  compareValues(oldS, newS, add);
  compareNumbers(oldS, newS, add);
  compareStrings(oldS, newS, add);
  compareArrays(oldS, newS, path, ctx, add);
  compareObjects(oldS, newS, path, ctx, add);

  // Whatever else changed, the gate cannot prove compatible.
  const others = new Set([...Object.keys(oldS), ...Object.keys(newS)]);
  for (const key of others) {
    if (HANDLED.has(key) || ANNOTATIONS.has(key) || key.startsWith("x-") || UNCOMPARED.has(key)) continue;
    const differs =
      key in oldS !== key in newS ||
      !same(withoutAnnotations(oldS[key] ?? null), withoutAnnotations(newS[key] ?? null));
    if (differs)
      add({
        change: `\`${key}\` changed (the gate cannot prove a change to it compatible)`,
        was: show(oldS[key]),
        now: show(newS[key]),
        direction: "incompatible",
      });
  }
}

type Add = (change: Omit<SchemaChange, "path">) => void;

function compareCombined(oldS: JsonObject, newS: JsonObject, path: string, ctx: Context, add: Add): void {
  const alternatives = (s: JsonObject): readonly Json[] | undefined => {
    for (const k of ALTERNATIVES) if (Array.isArray(s[k])) return s[k] as readonly Json[];
    return undefined;
  };
  const oldAlt = alternatives(oldS);
  const newAlt = alternatives(newS);
  const rest = (s: JsonObject) =>
    Object.fromEntries(
      Object.entries(s).filter(([k]) => !ALTERNATIVES.includes(k as "anyOf") && k !== "allOf"),
    );
  if (oldAlt && newAlt && oldAlt.length === newAlt.length && same(oldS.allOf, newS.allOf)) {
    oldAlt.forEach((a, i) =>
      compare(a as JsonSchema, newAlt[i] as JsonSchema, `${path}(alternative ${i + 1})`, ctx),
    );
    compare(rest(oldS), rest(newS), path, ctx);
    return;
  }
  if (oldAlt && newAlt && same(oldS.allOf, newS.allOf)) {
    const key = (s: Json) => canonical(withoutAnnotations(s));
    const oldKeys = new Set(oldAlt.map(key));
    const newKeys = new Set(newAlt.map(key));
    const added = newAlt.filter((a) => !oldKeys.has(key(a)));
    const removed = oldAlt.filter((a) => !newKeys.has(key(a)));
    const was = `${oldAlt.length} alternatives`;
    const now = `${newAlt.length} alternatives`;
    if (added.length && !removed.length)
      add({ change: `alternative added: ${added.map(show).join(", ")}`, was, now, direction: "looser" });
    else if (removed.length && !added.length)
      add({
        change: `alternative removed: ${removed.map(show).join(", ")}`,
        was,
        now,
        direction: "stricter",
      });
    else add({ change: "alternatives changed", was, now, direction: "incompatible" });
    return;
  }
  // One side is a union, the other is not: `x` became `x | null` (looser), or the reverse (stricter).
  const plain = (s: JsonObject) => canonical(withoutAnnotations(rest(s)));
  if (newAlt && !oldAlt && newAlt.some((a) => isObject(a) && plain(a) === plain(oldS)))
    add({
      change: "alternatives added",
      was: show(withoutAnnotations(oldS)),
      now: show(withoutAnnotations(newS)),
      direction: "looser",
    });
  else if (oldAlt && !newAlt && oldAlt.some((a) => isObject(a) && plain(a) === plain(newS)))
    add({
      change: "alternatives removed",
      was: show(withoutAnnotations(oldS)),
      now: show(withoutAnnotations(newS)),
      direction: "stricter",
    });
  else
    add({
      change: "schema changed",
      was: show(withoutAnnotations(oldS)),
      now: show(withoutAnnotations(newS)),
      direction: "incompatible",
    });
}

/** enum and const: the values a field may take. */
function compareValues(oldS: JsonObject, newS: JsonObject, add: Add): void {
  const values = (s: JsonObject): readonly Json[] | undefined =>
    "const" in s ? [s.const as Json] : Array.isArray(s.enum) ? (s.enum as readonly Json[]) : undefined;
  const oldValues = values(oldS);
  const newValues = values(newS);
  if (!oldValues && !newValues) return;
  const closedEnumNote =
    'an enum is extensible only if its readers accept any string: declare it z.string().meta({ "x-extensible-enum": [...] }) from its first version' +
    (oldS[EXTENSIBLE_ENUM] === true || newS[EXTENSIBLE_ENUM] === true
      ? "; `x-extensible-enum: true` on a z.enum does not help: readers still validate with the z.enum and dead-letter the new value"
      : "");
  if (oldValues && !newValues) {
    add({
      change: "enum removed (any value of the type now accepted)",
      was: show(oldValues),
      now: "any value",
      direction: "looser",
      note: closedEnumNote,
    });
    return;
  }
  if (!oldValues && newValues) {
    add({
      change: "now restricted to fixed values",
      was: "any value",
      now: show(newValues),
      direction: "stricter",
    });
    return;
  }
  const keys = (vs: readonly Json[]) => new Set(vs.map(canonical));
  const oldKeys = keys(oldValues!);
  const newKeys = keys(newValues!);
  const added = newValues!.filter((v) => !oldKeys.has(canonical(v)));
  const removed = oldValues!.filter((v) => !newKeys.has(canonical(v)));
  const was = show(oldValues);
  const now = show(newValues);
  for (const v of removed)
    add({
      change: `enum value removed: ${show(v)}`,
      was,
      now,
      direction: added.length ? "incompatible" : "stricter",
    });
  for (const v of added)
    add({
      change: `enum value added: ${show(v)}`,
      was,
      now,
      direction: removed.length ? "incompatible" : "looser",
      note: closedEnumNote,
    });
}

/** Values known for an extensible enum (a string schema): changes are compatible, and recorded. */
function extensibleEnumNotes(oldS: JsonObject, newS: JsonObject, path: string, ctx: Context): void {
  const list = (s: JsonObject) =>
    Array.isArray(s[EXTENSIBLE_ENUM]) ? (s[EXTENSIBLE_ENUM] as readonly Json[]) : [];
  const oldList = list(oldS);
  const newList = list(newS);
  if (same(oldList, newList)) return;
  const note = "an extensible enum: readers accept any string and treat unknown values as other";
  const was = show(oldList);
  const now = show(newList);
  for (const v of newList.filter((v) => !oldList.some((o) => same(o, v))))
    ctx.changes.push({
      path,
      change: `extensible enum value added: ${show(v)}`,
      was,
      now,
      direction: "compatible",
      note,
    });
  for (const v of oldList.filter((v) => !newList.some((o) => same(o, v))))
    ctx.changes.push({
      path,
      change: `extensible enum value no longer listed: ${show(v)}`,
      was,
      now,
      direction: "compatible",
      note,
    });
}

interface Bound {
  value: number;
  exclusive: boolean;
}
/** Lower (sign 1) or upper (sign -1) bound; on integers an exclusive bound is the next integer, inclusive. */
function bound(s: JsonObject, lower: boolean, integer: boolean): Bound | undefined {
  const inclusive = s[lower ? "minimum" : "maximum"];
  const exclusive = s[lower ? "exclusiveMinimum" : "exclusiveMaximum"];
  const candidates: Bound[] = [];
  if (typeof inclusive === "number") candidates.push({ value: inclusive, exclusive: false });
  if (typeof exclusive === "number") {
    if (integer)
      candidates.push({
        value: lower ? Math.floor(exclusive) + 1 : Math.ceil(exclusive) - 1,
        exclusive: false,
      });
    else candidates.push({ value: exclusive, exclusive: true });
  }
  if (!candidates.length) return undefined;
  // The tightest of both.
  return candidates.reduce((a, b) => (tighter(b, a, lower) ? b : a));
}
/** Is bound `a` tighter (admits fewer values) than `b`? */
function tighter(a: Bound, b: Bound, lower: boolean): boolean {
  if (a.value !== b.value) return lower ? a.value > b.value : a.value < b.value;
  return a.exclusive && !b.exclusive;
}
const showBound = (b: Bound | undefined, lower: boolean) =>
  b === undefined ? "none" : `${lower ? (b.exclusive ? ">" : "≥") : b.exclusive ? "<" : "≤"} ${b.value}`;

function compareNumbers(oldS: JsonObject, newS: JsonObject, add: Add): void {
  const integerOnly = (s: JsonObject) => typesOf(s).has("integer") && !typesOf(s).has("number");
  // `> 0` is `≥ 1` on integers (zod prints .positive() as exclusiveMinimum 0).
  const integer = integerOnly(oldS) && integerOnly(newS);
  for (const lower of [true, false]) {
    const o = bound(oldS, lower, integer);
    const n = bound(newS, lower, integer);
    const name = lower ? "minimum" : "maximum";
    if (o === undefined && n === undefined) continue;
    const was = showBound(o, lower);
    const now = showBound(n, lower);
    if (was === now) continue;
    if (o === undefined) add({ change: `${name} added`, was, now, direction: "stricter" });
    else if (n === undefined) add({ change: `${name} removed`, was, now, direction: "looser" });
    else if (tighter(n, o, lower))
      add({ change: `${name} ${lower ? "raised" : "lowered"}`, was, now, direction: "stricter" });
    else add({ change: `${name} ${lower ? "lowered" : "raised"}`, was, now, direction: "looser" });
  }
  const om = oldS.multipleOf;
  const nm = newS.multipleOf;
  if (om !== nm) {
    const was = show(om);
    const now = show(nm);
    if (typeof om !== "number") add({ change: "multipleOf added", was, now, direction: "stricter" });
    else if (typeof nm !== "number") add({ change: "multipleOf removed", was, now, direction: "looser" });
    else if (nm % om === 0) add({ change: "multipleOf changed", was, now, direction: "stricter" });
    else if (om % nm === 0) add({ change: "multipleOf changed", was, now, direction: "looser" });
    else add({ change: "multipleOf changed", was, now, direction: "incompatible" });
  }
}

/** A lower limit (minLength, minItems) or upper limit (maxLength, maxItems) on a count. */
function compareLimit(oldS: JsonObject, newS: JsonObject, key: string, lower: boolean, add: Add): void {
  const o = typeof oldS[key] === "number" ? (oldS[key] as number) : undefined;
  const n = typeof newS[key] === "number" ? (newS[key] as number) : undefined;
  if (o === n) return;
  const was = show(o);
  const now = show(n);
  if (o === undefined) add({ change: `${key} added`, was, now, direction: "stricter" });
  else if (n === undefined) add({ change: `${key} removed`, was, now, direction: "looser" });
  else if (lower ? n > o : n < o)
    add({ change: `${key} ${lower ? "raised" : "lowered"}`, was, now, direction: "stricter" });
  else add({ change: `${key} ${lower ? "lowered" : "raised"}`, was, now, direction: "looser" });
}

/** A keyword whose presence restricts and whose values cannot be ordered (pattern, format). */
function compareRestriction(oldS: JsonObject, newS: JsonObject, key: string, add: Add): void {
  if (same(oldS[key], newS[key])) return;
  const was = show(oldS[key]);
  const now = show(newS[key]);
  if (!(key in oldS)) add({ change: `${key} added`, was, now, direction: "stricter" });
  else if (!(key in newS)) add({ change: `${key} removed`, was, now, direction: "looser" });
  else add({ change: `${key} changed`, was, now, direction: "incompatible" });
}

function compareStrings(oldS: JsonObject, newS: JsonObject, add: Add): void {
  compareLimit(oldS, newS, "minLength", true, add);
  compareLimit(oldS, newS, "maxLength", false, add);
  compareRestriction(oldS, newS, "pattern", add);
  compareRestriction(oldS, newS, "format", add);
}

function compareArrays(oldS: JsonObject, newS: JsonObject, path: string, ctx: Context, add: Add): void {
  compareLimit(oldS, newS, "minItems", true, add);
  compareLimit(oldS, newS, "maxItems", false, add);
  if (oldS.uniqueItems !== newS.uniqueItems) {
    const stricter = newS.uniqueItems === true;
    add({
      change: `uniqueItems ${stricter ? "added" : "removed"}`,
      was: show(oldS.uniqueItems),
      now: show(newS.uniqueItems),
      direction: stricter ? "stricter" : "looser",
    });
  }
  const oldPrefix = Array.isArray(oldS.prefixItems) ? (oldS.prefixItems as readonly Json[]) : [];
  const newPrefix = Array.isArray(newS.prefixItems) ? (newS.prefixItems as readonly Json[]) : [];
  const positions = Math.max(oldPrefix.length, newPrefix.length);
  const itemsOf = (s: JsonObject): JsonSchema => (s.items === undefined ? true : (s.items as JsonSchema));
  for (let i = 0; i < positions; i++) {
    compare(
      (oldPrefix[i] as JsonSchema | undefined) ?? itemsOf(oldS),
      (newPrefix[i] as JsonSchema | undefined) ?? itemsOf(newS),
      `${path}[${i}]`,
      ctx,
    );
  }
  if ("items" in oldS || "items" in newS) compare(itemsOf(oldS), itemsOf(newS), `${path}[]`, ctx);
}

const OPEN_CLOSED =
  "producers are closed (createEvent strips what the schema does not declare) and readers are open (readEvent ignores unknown properties)";

function compareObjects(oldS: JsonObject, newS: JsonObject, path: string, ctx: Context, add: Add): void {
  const oldProps = isObject(oldS.properties) ? oldS.properties : {};
  const newProps = isObject(newS.properties) ? newS.properties : {};
  const requiredOf = (s: JsonObject) =>
    new Set(Array.isArray(s.required) ? s.required.filter((r): r is string => typeof r === "string") : []);
  const oldRequired = requiredOf(oldS);
  const newRequired = requiredOf(newS);
  const closedProducer = (s: JsonObject) => s.additionalProperties === false;
  const names = [
    ...new Set([...Object.keys(oldProps), ...Object.keys(newProps), ...oldRequired, ...newRequired]),
  ];
  for (const name of names) {
    const at = `${path}.${name}`;
    const inOld = Object.hasOwn(oldProps, name) || oldRequired.has(name);
    const inNew = Object.hasOwn(newProps, name) || newRequired.has(name);
    const field = (props: JsonObject, required: Set<string>, root: JsonSchema) => {
      const schema = resolve((props[name] as JsonSchema | undefined) ?? true, root).schema;
      return `${required.has(name) ? "required" : "optional"} ${showTypes(typesOf(asObject(schema)))}`;
    };
    const was = inOld ? field(oldProps, oldRequired, ctx.oldRoot) : "absent";
    const now = inNew ? field(newProps, newRequired, ctx.newRoot) : "absent";
    if (!inNew) {
      if (oldRequired.has(name)) {
        ctx.changes.push({
          path: at,
          change: "required field removed",
          was,
          now,
          direction: "looser",
          note: `removing a field is safe only when it was optional (${OPEN_CLOSED}); old readers require this one and reject events without it`,
        });
      } else if (closedProducer(newS)) {
        ctx.changes.push({
          path: at,
          change: "optional field removed",
          was,
          now,
          direction: "compatible",
          note: `${OPEN_CLOSED}: new producers stop sending it, old readers never required it, new readers ignore it in old events`,
        });
      } else {
        ctx.changes.push({
          path: at,
          change: "optional field removed where producers are not closed",
          was,
          now,
          direction: "looser",
          note: `additionalProperties here is ${show(newS.additionalProperties)}, not false: producers pass unknown properties through, so they may still send it in a shape old readers reject`,
        });
      }
      continue;
    }
    if (!inOld) {
      if (newRequired.has(name)) {
        ctx.changes.push({
          path: at,
          change: "required field added",
          was,
          now,
          direction: "stricter",
          note: `a new field is safe only as optional (${OPEN_CLOSED}); events already published do not have it`,
        });
      } else if (closedProducer(oldS)) {
        ctx.changes.push({
          path: at,
          change: "optional field added",
          was,
          now,
          direction: "compatible",
          note: `${OPEN_CLOSED}: no old event carries it, old readers ignore it`,
        });
      } else {
        ctx.changes.push({
          path: at,
          change: "optional field added where producers were not closed",
          was,
          now,
          direction: "stricter",
          note: `additionalProperties here was ${show(oldS.additionalProperties)}, not false: old producers passed unknown properties through, so events already published may carry it in any shape`,
        });
      }
      continue;
    }
    if (oldRequired.has(name) && !newRequired.has(name))
      ctx.changes.push({
        path: at,
        change: "required field made optional",
        was,
        now,
        direction: "looser",
        note: "old readers require it and reject new events without it",
      });
    if (!oldRequired.has(name) && newRequired.has(name))
      ctx.changes.push({
        path: at,
        change: "optional field made required",
        was,
        now,
        direction: "stricter",
        note: "events already published may not have it",
      });
    compare(
      (oldProps[name] as JsonSchema | undefined) ?? true,
      (newProps[name] as JsonSchema | undefined) ?? true,
      at,
      ctx,
    );
  }
  // additionalProperties: `false` means only that producers send nothing undeclared (readers are open
  // either way), so a change from or to `false` is compatible. Between two schemas (a record's values,
  // a catchall) both sides validate the extra properties: compare them.
  const oldExtra = oldS.additionalProperties;
  const newExtra = newS.additionalProperties;
  if (
    oldExtra !== false &&
    newExtra !== false &&
    (oldExtra !== undefined || newExtra !== undefined) &&
    typesOf(oldS).has("object")
  )
    compare(
      (oldExtra as JsonSchema | undefined) ?? true,
      (newExtra as JsonSchema | undefined) ?? true,
      `${path}.*`,
      ctx,
    );
}
