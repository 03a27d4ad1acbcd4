import type { RegistryView } from "./published";

/**
 * Which types are emitted. A type counts as emitted by its producer when its string literal appears in
 * the producer context's own source (workers/<producer>/ and durable-objects/<producer>/, read by the
 * CLI), outside comment lines: publishing an event names its type in the code that decides it. The
 * gate then adds every type derived by a registered downgrade from an emitted one (`emittedWith`).
 * Pure: the CLI reads the files and passes their text.
 */

// Comment lines (JSDoc, //) may quote a type without emitting it (the same rule as the layers test).
const COMMENT_LINE = /^\s*(\/\/|\/\*|\*).*$/gm;

/** The registered types whose literal ("…", '…' or `…`) appears in these sources, outside comment lines. */
export function typesNamedIn(sources: readonly string[], types: Iterable<string>): Set<string> {
  const code = sources.map((s) => s.replace(COMMENT_LINE, "")).join("\n");
  const found = new Set<string>();
  for (const type of types) {
    const escaped = type.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    if (new RegExp(`["'\`]${escaped}["'\`]`).test(code)) found.add(type);
  }
  return found;
}

/**
 * The types each producer names in its own source: `sourcesOf(producer)` gives the text of that
 * context's files. Only a type's own producer counts (orders' event handlers name payment events they
 * read; that does not make orders their producer).
 */
export function typesEmittedBy(
  registry: RegistryView,
  sourcesOf: (producer: string) => readonly string[],
): Set<string> {
  const byProducer = new Map<string, string[]>();
  for (const [type, v] of Object.entries(registry.versions))
    byProducer.set(v.producer, [...(byProducer.get(v.producer) ?? []), type]);
  const emitted = new Set<string>();
  for (const [producer, types] of byProducer)
    for (const type of typesNamedIn(sourcesOf(producer), types)) emitted.add(type);
  return emitted;
}

/** The emitted types plus every type derived from one of them by a registered downgrade (transitively). */
export function emittedWith(registry: RegistryView, emitted: ReadonlySet<string>): Map<string, string> {
  /** type -> how it is emitted: "named in its producer's source" or "derived from …". */
  const how = new Map<string, string>([...emitted].map((t) => [t, "named in its producer's source"]));
  let grew = true;
  while (grew) {
    grew = false;
    for (const d of registry.downgrades) {
      if (how.has(d.from) && !how.has(d.to)) {
        how.set(d.to, `derived from ${d.from} by its registered downgrade`);
        grew = true;
      }
    }
  }
  return how;
}
