import { readFileSync, readdirSync, existsSync } from "node:fs";
import { parse } from "smol-toml";

/** Every worker's wrangler.toml, parsed: the root (orders) and workers/<name>/wrangler.toml. */
export interface WorkerConfig {
  path: string;
  name: string;
  queues?: {
    producers?: { binding: string; queue: string }[];
    consumers?: {
      queue: string;
      max_retries?: number;
      dead_letter_queue?: string;
      max_batch_size?: number;
      max_batch_timeout?: number;
      max_concurrency?: number;
    }[];
  };
  durable_objects?: { bindings?: { name: string; class_name: string; script_name?: string }[] };
  compatibility_date: string;
}

export function workerConfigs(): WorkerConfig[] {
  const paths = [
    "wrangler.toml",
    ...readdirSync("workers")
      .map((w) => `workers/${w}/wrangler.toml`)
      .filter((p) => existsSync(p)),
  ];
  return paths.map((path) => ({
    path,
    ...(parse(readFileSync(path, "utf8")) as unknown as Omit<WorkerConfig, "path">),
  }));
}
