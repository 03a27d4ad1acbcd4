/**
 * `npm run bench:disk`: what the local runtime does with the disk for each order, by Durable Object class:
 * how many times SQLite forces a write to disk (`fsync`, one per commit of an object's write-ahead log,
 * more when an object is created) and how many files it opens (three for each object created: its
 * database, log and shared-memory files). It boots the system as `npm run dev` does (simulated staff off),
 * places collection orders at `--rate` for `--seconds` while `strace` counts those two system calls of
 * workerd, then waits `--drain` seconds for the orders' lifecycle to finish. On one workerd thread every
 * commit and every new object is work on the customer's path: this says which objects an order creates
 * and writes, as the local runtime pays for them. Needs strace (`apt-get install -y strace`) and
 * permission to trace (root, or ptrace_scope 0). Not part of `npm test`.
 *
 *   npm run bench:disk -- [--rate 10] [--seconds 10] [--drain 5]
 */
import { execFileSync, spawn } from "node:child_process";
import { parseArgs } from "node:util";
import { startDevSystem } from "../test/support/dev-system";
import { pizzaClient } from "../test/support/pizza-client";
import { placeAtRate } from "./arrivals";

const { values } = parseArgs({
  options: {
    rate: { type: "string", default: "10" },
    seconds: { type: "string", default: "10" },
    drain: { type: "string", default: "5" },
  },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const drainMs = Number(values.drain) * 1000;

/** The workerd serving the system: of the running workerd processes, the one using most memory. */
function workerdPid(): number {
  const out = execFileSync("ps", ["-eo", "pid,rss,comm", "--sort=-rss"]).toString();
  const line = out.split("\n").find((l) => l.trim().endsWith(" workerd"));
  if (!line) throw new Error("no workerd running");
  return Number(line.trim().split(/\s+/)[0]);
}

/**
 * The storage a path belongs to, from `--persist-to`'s layout: `v3/do/<worker>-<Class>/…` for a Durable
 * Object class, `v3/<kind>/…` for miniflare's own (observability, rate limits, R2, queues).
 */
function storeOf(path: string): string {
  const object = /\/v3\/do\/([^/]+)/.exec(path);
  if (object) return object[1]!;
  const own = /\/v3\/([^/]+)\/([^/]+)/.exec(path);
  return own ? `${own[1]} (${own[2]})` : "other";
}

const system = await startDevSystem(["--var", "SIMULATED_STAFF:off"]);
try {
  const pizza = pizzaClient(system.baseUrl);
  const pid = workerdPid();
  let trace: ReturnType<typeof spawn> | undefined;
  let output = "";
  let failed: Error | undefined;
  const orders = await placeAtRate(pizza, rate, seconds, "disk", () => {
    // -f: every thread; -y: the path behind each file descriptor; to stderr, read as it comes.
    trace = spawn("strace", ["-f", "-y", "-e", "trace=fsync,fdatasync,openat", "-p", String(pid)], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    trace.stderr!.on("data", (d: Buffer) => (output += d.toString()));
    // Reported after the orders, so the finally below still stops the system.
    trace.on("error", (error) => (failed = error));
  });
  await new Promise((r) => setTimeout(r, drainMs));
  if (failed) throw new Error(`strace could not run (apt-get install -y strace): ${failed.message}`);
  const exited = new Promise((r) => trace!.once("exit", r));
  trace!.kill("SIGINT");
  await exited;

  const syncs = new Map<string, number>();
  const opens = new Map<string, number>();
  for (const line of output.split("\n")) {
    const sync = /f(?:data)?sync\(\d+<([^>]+)>\)/.exec(line);
    if (sync) syncs.set(storeOf(sync[1]!), (syncs.get(storeOf(sync[1]!)) ?? 0) + 1);
    // The opened file as the result's descriptor names it (workerd opens relative to a directory).
    const open = /openat\(.*\) = \d+<([^>]+)>/.exec(line);
    if (open && open[1]!.includes("/v3/"))
      opens.set(storeOf(open[1]!), (opens.get(storeOf(open[1]!)) ?? 0) + 1);
  }
  const per = (n: number) => (n / orders).toFixed(2).padStart(7);
  const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  console.log(`\n${orders} orders at ${rate}/s for ${seconds} s, then ${values.drain} s; per order:\n`);
  console.log(`${"storage".padEnd(52)} ${"fsyncs".padStart(7)} ${"opens".padStart(7)}`);
  const stores = [...new Set([...syncs.keys(), ...opens.keys()])];
  stores.sort((a, b) => (syncs.get(b) ?? 0) - (syncs.get(a) ?? 0));
  for (const store of stores)
    console.log(`${store.padEnd(52)} ${per(syncs.get(store) ?? 0)} ${per(opens.get(store) ?? 0)}`);
  console.log(`${"all".padEnd(52)} ${per(total(syncs))} ${per(total(opens))}`);
} finally {
  await system.stop();
}
