import { readFileSync } from "node:fs";
import { join } from "node:path";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { parse } from "smol-toml";
import { unstable_getMiniflareWorkerOptions } from "wrangler";

/**
 * Some of the system's workers in one local workerd, from Node: each worker's real wrangler.toml (its
 * Durable Objects, queues, R2 buckets) turned into Miniflare's options by wrangler, and the bundle
 * `npm run build` made of it (dist/<worker>/index.js). For tests that need more than one worker's
 * project and less than `npm run dev`'s whole system, and that control storage themselves:
 *
 * - `sharedStorage`: R2 (and KV, D1) live here; systems started on the same directory share them, as two
 *   deployments share one bucket;
 * - `ownStorage`: Durable Objects (and the cache) live here, each system's own.
 *
 * Miniflare elects which instance owns shared storage through a dev registry: each system uses one of
 * its own under `sharedStorage`, so no other local session (an `npm run dev`) can see these workers.
 */
export interface LocalSystem {
  miniflare: Miniflare;
  /** A Durable Object of one of the workers, for RPC from the test (results are copied to Node). */
  object<T>(worker: string, binding: string, name: string): Promise<T>;
  /** A queue producer binding of one of the workers. */
  queue(worker: string, binding: string): Promise<Producer>;
  dispose(): Promise<void>;
}

/** What a test does with a queue producer binding (Node has no Workers types). */
export interface Producer {
  sendBatch(messages: { body: unknown; contentType?: "json" }[]): Promise<void>;
}

const root = join(import.meta.dirname, "..", "..");

/** The name a worker's wrangler.toml gives it: its Miniflare worker name. */
const scriptName = (worker: string) =>
  (parse(readFileSync(join(root, "workers", worker, "wrangler.toml"), "utf8")) as { name: string }).name;

/** `workers/<worker>` as Miniflare runs it: its config's bindings, its built bundle, faults off. */
function workerOptions(worker: string) {
  const configPath = join(root, "workers", worker, "wrangler.toml");
  const { workerOptions: options } = unstable_getMiniflareWorkerOptions(configPath);
  // The bundle is one ES module: the source tree's module rules and root do not apply to it.
  const { modulesRules: _rules, rootPath: _root, ...rest } = options;
  return {
    ...rest,
    name: scriptName(worker),
    // Whatever FAULTS the shell running the tests has, these workers run without injected faults.
    bindings: { ...(rest.bindings as Record<string, unknown> | undefined), FAULTS: "" },
    modules: true,
    modulesRoot: root,
    scriptPath: join(root, "dist", worker, "index.js"),
  };
}

export async function startLocalSystem(
  workers: string[],
  { sharedStorage, ownStorage }: { sharedStorage: string; ownStorage: string },
): Promise<LocalSystem> {
  const miniflare = new Miniflare({
    ...convertV4MiniflareOptions({
      workers: workers.map(workerOptions),
      // The workers' JSON log lines: not the test's output.
      handleStructuredLogs: () => {},
    }),
    resourcePersistencePath: sharedStorage,
    isolatedResourcePersistencePath: ownStorage,
    unsafeEnableSharedStorage: true,
    enableDevRegistry: true,
    unsafeDevRegistryPath: join(sharedStorage, "dev-registry"),
  });
  await miniflare.ready;
  return {
    miniflare,
    object: async <T>(worker: string, binding: string, name: string) => {
      // Miniflare's proxy types the namespace loosely: the test names what it calls.
      const namespace = (await miniflare.getDurableObjectNamespace(
        binding,
        scriptName(worker),
      )) as unknown as {
        getByName(name: string): unknown;
      };
      return namespace.getByName(name) as T;
    },
    queue: async (worker: string, binding: string) =>
      (await miniflare.getQueueProducer(binding, scriptName(worker))) as unknown as Producer,
    dispose: () => miniflare.dispose(),
  };
}
