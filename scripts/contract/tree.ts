import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { format, resolveConfig } from "prettier";
import { downgrades, registry } from "../../shared/events/registry";
import { subscriptions } from "../../workers/router/routing-table";
import type { JsonObject } from "./compatibility";
import { typesEmittedBy } from "./emitted";
import type { GateInput } from "./gate";
import type { RegistryView, Snapshot } from "./published";

/** The working tree's side of the gate: the only module of scripts/contract/ that touches files. */
export const PUBLISHED_DIR = "shared/events/published";

/** The real registry, as the gate reads it. */
export const realRegistry: RegistryView = { versions: registry, downgrades };

/** Every published contract, by its type (the file name without `.json`). */
export function readSnapshot(dir = PUBLISHED_DIR): Snapshot {
  if (!existsSync(dir)) return {};
  const snapshot: Record<string, JsonObject> = {};
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()) {
    const path = join(dir, file);
    let contract: unknown;
    try {
      contract = JSON.parse(readFileSync(path, "utf8"));
    } catch (error) {
      throw new Error(`${path} is not JSON: ${(error as Error).message}`);
    }
    if (typeof contract !== "object" || contract === null || Array.isArray(contract))
      throw new Error(`${path} is not a JSON Schema object`);
    snapshot[file.slice(0, -".json".length)] = contract as JsonObject;
  }
  return snapshot;
}

/** The TypeScript sources of one context: workers/<context>/**, durable-objects/<context>/** (no .d.ts). */
export function sourcesOf(context: string): string[] {
  return [`workers/${context}`, `durable-objects/${context}`]
    .filter((dir) => existsSync(dir))
    .flatMap((dir) =>
      readdirSync(dir, { recursive: true, encoding: "utf8" })
        .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
        .sort()
        .map((f) => readFileSync(join(dir, f), "utf8")),
    );
}

/** The gate's input from the working tree as it is now. */
export function treeInput(now = new Date()): GateInput {
  return {
    registry: realRegistry,
    subscriptions,
    emitted: typesEmittedBy(realRegistry, sourcesOf),
    snapshot: readSnapshot(),
    now,
  };
}

/** A contract as the file holds it: Prettier's JSON (so `npm run format:check` agrees), newline at the end. */
export async function contractFile(contract: JsonObject, path: string): Promise<string> {
  const options = (await resolveConfig(path)) ?? {};
  return format(JSON.stringify(contract, null, 2), { ...options, filepath: path });
}

/** Writes the snapshot (only files whose text changes) and deletes the retired; returns what it did. */
export async function writeSnapshot(
  snapshot: Snapshot,
  retired: readonly string[],
  dir = PUBLISHED_DIR,
): Promise<{ written: string[]; deleted: string[] }> {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const deleted: string[] = [];
  for (const [type, contract] of Object.entries(snapshot)) {
    const path = join(dir, `${type}.json`);
    const text = await contractFile(contract, path);
    if (existsSync(path) && readFileSync(path, "utf8") === text) continue;
    writeFileSync(path, text);
    written.push(path);
  }
  for (const type of retired) {
    const path = join(dir, `${type}.json`);
    if (!existsSync(path)) continue;
    rmSync(path);
    deleted.push(path);
  }
  return { written, deleted };
}
