import { readFileSync } from "node:fs";
import type { cloudflareTest } from "@cloudflare/vitest-plugin";
import { parse } from "smol-toml";
import type { WorkerConfig } from "./wrangler-configs";

type PoolOptions = Exclude<Parameters<typeof cloudflareTest>[0], Function>;
export type AuxiliaryWorker = NonNullable<NonNullable<PoolOptions["miniflare"]>["workers"]>[number];

/**
 * Another worker of the system, for a workerd test project whose worker binds it (a Durable Object
 * by script_name, a service binding): the bundle `npm run build` made of it, with the Durable Objects
 * and queue producers of its own wrangler.toml, so the test sees the real thing, not a stand-in.
 */
export function auxiliaryWorker(worker: string, extra: Partial<AuxiliaryWorker> = {}): AuxiliaryWorker {
  const config = parse(readFileSync(`workers/${worker}/wrangler.toml`, "utf8")) as unknown as WorkerConfig;
  return {
    name: config.name,
    modules: true,
    scriptPath: `./dist/${worker}/index.js`,
    compatibilityDate: config.compatibility_date,
    durableObjects: Object.fromEntries(
      (config.durable_objects?.bindings ?? []).map((b) => [
        b.name,
        { className: b.class_name, useSQLite: true, ...(b.script_name ? { scriptName: b.script_name } : {}) },
      ]),
    ),
    queueProducers: Object.fromEntries(
      (config.queues?.producers ?? []).map((p) => [p.binding, { queueName: p.queue }]),
    ),
    ...extra,
  } as AuxiliaryWorker;
}
