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
    baseUrl: string;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

let dev: ChildProcess | undefined;
let stateDir: string | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const port = await freePort();
  const inspectorPort = await freePort();
  stateDir = mkdtempSync(join(tmpdir(), "pizza-e2e-"));
  let output = "";
  dev = spawn("npm", ["run", "dev", "--", "--port", String(port), "--inspector-port", String(inspectorPort), "--persist-to", stateDir, "--ip", "127.0.0.1"], {
    cwd: process.cwd(),
    env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // its own process group, so teardown stops wrangler and workerd with it
  });
  dev.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  dev.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => dev!.on("exit", resolve));

  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      "npm run dev to serve GET /menu",
      async () => {
        if (dev!.exitCode !== null) throw new Error(`npm run dev exited (${dev!.exitCode}):\n${output}`);
        const res = await fetch(`${baseUrl}/menu`).catch(() => undefined);
        return res?.ok ? true : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 250 },
    );
  } catch (error) {
    await stop(exited);
    throw new Error(`${(error as Error).message}\n--- npm run dev output ---\n${output.slice(-4000)}`);
  }
  project.provide("baseUrl", baseUrl);
  return () => stop(exited);
}

async function stop(exited: Promise<number | null>): Promise<void> {
  if (dev?.pid && dev.exitCode === null) {
    process.kill(-dev.pid, "SIGTERM");
    const timer = setTimeout(() => dev?.pid && dev.exitCode === null && process.kill(-dev.pid, "SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  }
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
}
