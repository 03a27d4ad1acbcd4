import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { waitFor } from "./wait-for";

/**
 * Vitest global setup for the end-to-end suite: boots the whole system exactly as a developer does,
 * with `npm run dev` (every worker, queue and Durable Object in one `wrangler dev`), on free ports and
 * with a fresh state directory, and stops it afterwards.
 */
declare module "vitest" {
  export interface ProvidedContext {
    /** The system with simulated staff off and a 15 s payment deadline: tests play the staff. */
    baseUrl: string;
    /** The system exactly as `npm run dev` starts it (simulated staff on). */
    simulatedBaseUrl: string;
  }
}

/** Extra `wrangler dev` flags for the system whose staff the tests play. */
export const STAFFED_FLAGS = ["--var", "SIMULATED_STAFF:off", "--var", "PAYMENT_TIMEOUT_SECONDS:15"];

/** A port nothing listens on now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/**
 * Stops a process started `detached` (its own process group) and everything it started (wrangler,
 * workerd, esbuild): SIGTERM to the group, SIGKILL after 5 s if it is still there.
 */
export async function stopProcessGroup(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (!child.pid || child.exitCode !== null) return;
  process.kill(-child.pid, "SIGTERM");
  const timer = setTimeout(() => child.exitCode === null && process.kill(-child.pid!, "SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}

export interface DevSystem {
  baseUrl: string;
  /** How many of `npm run dev`'s output lines (the workers' log lines among them) held each watched text. */
  sightings: () => Map<string, number>;
  stop: () => Promise<void>;
}

/** What is kept of the output for an error message: a long run's full output would not fit in memory. */
const OUTPUT_TAIL_CHARS = 8_000;

/**
 * Runs `npm run dev` on free ports with a fresh state directory, and waits until it serves. `env` is
 * added to its environment: `{ FAULTS: "fail:0.2" }` runs it with faults on (shared/faults.ts); without
 * it FAULTS is empty, whatever the shell running the tests has. Output lines holding a `watch` text are
 * counted as they pass (`sightings`); `onLine`, if given, is handed every whole output line as it passes
 * (`npm run bench:system` times and counts the workers' log lines with it).
 */
export async function startDevSystem(
  extraFlags: string[],
  env: Record<string, string> = {},
  watch: string[] = [],
  onLine?: (line: string) => void,
): Promise<DevSystem> {
  const port = await freePort();
  const inspectorPort = await freePort();
  const stateDir = mkdtempSync(join(tmpdir(), "pizza-e2e-"));
  let output = "";
  let partialLine = "";
  const seen = new Map(watch.map((w) => [w, 0]));
  const read = (chunk: Buffer) => {
    const text = chunk.toString();
    output = (output + text).slice(-OUTPUT_TAIL_CHARS);
    const lines = (partialLine + text).split("\n");
    partialLine = lines.pop() ?? "";
    for (const line of lines) {
      for (const [w, n] of seen) if (line.includes(w)) seen.set(w, n + 1);
      onLine?.(line);
    }
  };
  const dev: ChildProcess = spawn(
    "npm",
    [
      "run",
      "dev",
      "--",
      "--port",
      String(port),
      "--inspector-port",
      String(inspectorPort),
      "--persist-to",
      stateDir,
      "--ip",
      "127.0.0.1",
      ...extraFlags,
    ],
    {
      cwd: process.cwd(),
      env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", FAULTS: "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true, // its own process group, so stopping it stops wrangler and workerd with it
    },
  );
  dev.stdout!.on("data", read);
  dev.stderr!.on("data", read);
  const exited = new Promise<void>((resolve) => dev.on("exit", () => resolve()));

  const stop = async () => {
    await stopProcessGroup(dev, exited);
    rmSync(stateDir, { recursive: true, force: true });
  };

  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      "npm run dev to serve GET /menu",
      async () => {
        if (dev.exitCode !== null) throw new Error(`npm run dev exited (${dev.exitCode})`);
        const res = await fetch(`${baseUrl}/menu`).catch(() => undefined);
        return res?.ok ? true : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    );
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n--- npm run dev output ---\n${output.slice(-4000)}`);
  }
  return { baseUrl, sightings: () => new Map(seen), stop };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const systems = await Promise.allSettled([startDevSystem(STAFFED_FLAGS), startDevSystem([])]);
  const started = systems.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const stopAll = async () => void (await Promise.all(started.map((s) => s.stop())));
  const failed = systems.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed) {
    await stopAll();
    throw failed.reason;
  }
  project.provide("baseUrl", started[0]!.baseUrl);
  project.provide("simulatedBaseUrl", started[1]!.baseUrl);
  return stopAll;
}
