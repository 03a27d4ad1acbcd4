/**
 * `npm run bench:profile`: where the local runtime's CPU goes while orders arrive at a fixed rate. It
 * boots the system as `npm run dev` does (simulated staff off), attaches V8's sampling profiler to every
 * isolate workerd runs (each worker, and miniflare's own: the queue broker, R2, the Durable Object
 * namespaces) through workerd's inspector, places collection orders at `--rate` for `--seconds`, and
 * prints each isolate's share of the samples and its hottest functions (self time). It says where to
 * look, not what a deploy costs: Cloudflare runs none of miniflare's isolates, and one local core runs
 * them all. Not part of `npm test`.
 *
 *   npm run bench:profile -- [--rate 40] [--seconds 10] [--top 12]
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startDevSystem } from "../test/support/dev-system";
import { pizzaClient } from "../test/support/pizza-client";
import { placeAtRate } from "./arrivals";

const { values } = parseArgs({
  options: {
    rate: { type: "string", default: "40" },
    seconds: { type: "string", default: "10" },
    top: { type: "string", default: "12" },
    out: { type: "string", default: "dist/profile" },
  },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const top = Number(values.top);
const SAMPLING_INTERVAL_US = 500;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  samples?: number[];
  startTime: number;
  endTime: number;
}

/** A DevTools protocol session on one isolate. */
async function session(url: string) {
  const ws = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener("open", () => resolve(), { once: true });
    ws.addEventListener("error", () => reject(new Error(`cannot open ${url}`)), { once: true });
  });
  let next = 0;
  const waiting = new Map<number, (result: unknown) => void>();
  ws.addEventListener("message", (m) => {
    const msg = JSON.parse(String(m.data)) as { id?: number; result?: unknown };
    if (msg.id !== undefined) waiting.get(msg.id)?.(msg.result);
  });
  // An isolate that never answers (some of miniflare's) must not hold the run: 10 s, then undefined.
  const send = <T>(method: string, params: object = {}) =>
    new Promise<T | undefined>((resolve) => {
      const id = ++next;
      const timer = setTimeout(() => resolve(undefined), 10_000);
      waiting.set(id, (r) => {
        clearTimeout(timer);
        resolve(r as T);
      });
      ws.send(JSON.stringify({ id, method, params }));
    });
  return { send, close: () => ws.close() };
}

/** The inspector workerd itself listens on (wrangler's own proxy shows one worker only). */
function workerdInspectorPorts(): number[] {
  const out = execFileSync("ss", ["-ltnp"]).toString();
  return [...out.matchAll(/127\.0\.0\.1:(\d+)\s.*"workerd"/g)].map((m) => Number(m[1]));
}

async function isolates(): Promise<{ id: string; url: string }[]> {
  for (const port of workerdInspectorPorts()) {
    const list = await fetch(`http://127.0.0.1:${port}/json/list`)
      .then((r) => r.json() as Promise<{ id: string; webSocketDebuggerUrl: string }[]>)
      .catch(() => undefined);
    if (Array.isArray(list) && list.some((t) => t.id?.startsWith("core:user:")))
      return list.map((t) => ({ id: t.id, url: t.webSocketDebuggerUrl }));
  }
  throw new Error("workerd's inspector not found");
}

const system = await startDevSystem(["--var", "SIMULATED_STAFF:off"]);
try {
  const pizza = pizzaClient(system.baseUrl);
  const targets = await isolates();
  console.log(`profiling ${targets.length} isolates: ${targets.map((t) => t.id).join(", ")}`);
  const sessions = await Promise.all(
    targets.map(async (t) => ({ ...t, s: await session(t.url).catch(() => undefined) })),
  );
  const live = sessions.filter((x) => x.s);
  for (const { s } of live) {
    await s!.send("Profiler.enable");
    await s!.send("Profiler.setSamplingInterval", { interval: SAMPLING_INTERVAL_US });
  }
  let start = Date.now();
  const placed = await placeAtRate(pizza, rate, seconds, "profile", async () => {
    for (const { s } of live) await s!.send("Profiler.start");
    start = Date.now();
  });
  const profiles = await Promise.all(
    live.map(async ({ id, s }) => ({
      id,
      profile: (await s!.send<{ profile: Profile }>("Profiler.stop"))?.profile,
    })),
  );
  for (const { s } of live) s!.close();

  const window = (Date.now() - start) / 1000;
  // Each profile as a .cpuprofile, to open in Chrome DevTools' Performance panel.
  mkdirSync(values.out, { recursive: true });
  for (const { id, profile } of profiles)
    if (profile)
      writeFileSync(
        join(values.out, `${id.replaceAll(/[^\w.-]/g, "_")}.cpuprofile`),
        JSON.stringify(profile),
      );
  console.log(
    `\n${placed} orders at ${rate}/s over ${window.toFixed(1)} s; CPU by isolate (ms busy, % of the window)\n`,
  );
  const rows = profiles
    .flatMap(({ id, profile }) => (profile ? [{ id, profile }] : []))
    .map(({ id, profile }) => {
      const idle = new Set(
        profile.nodes
          .filter((n) => ["(idle)", "(program)", "(root)"].includes(n.callFrame.functionName))
          .map((n) => n.id),
      );
      const samples = profile.samples ?? [];
      // workerd's profiler samples an isolate only while it runs, once per interval: count x interval is
      // its CPU time (the wall-clock span would spread the idle gaps over the samples).
      const interval = SAMPLING_INTERVAL_US / 1000;
      const byNode = new Map<number, number>();
      for (const s of samples) if (!idle.has(s)) byNode.set(s, (byNode.get(s) ?? 0) + 1);
      const busyMs = [...byNode.values()].reduce((a, b) => a + b, 0) * interval;
      const byFunction = new Map<string, number>();
      for (const node of profile.nodes) {
        const hits = byNode.get(node.id);
        if (!hits) continue;
        const f = node.callFrame;
        const where = f.url ? `${f.url.split("/").slice(-2).join("/")}:${f.lineNumber + 1}` : "native";
        const name = `${f.functionName || "(anonymous)"} ${where}`;
        byFunction.set(name, (byFunction.get(name) ?? 0) + hits * interval);
      }
      return { id, busyMs, byFunction };
    });
  rows.sort((a, b) => b.busyMs - a.busyMs);
  for (const r of rows) {
    if (r.busyMs < 1) continue;
    console.log(
      `${r.id.padEnd(48)} ${r.busyMs.toFixed(0).padStart(7)} ms  ${((r.busyMs / (window * 1000)) * 100).toFixed(1)}%`,
    );
  }
  for (const r of rows.slice(0, 6)) {
    if (r.busyMs < 1) continue;
    console.log(`\n${r.id}: hottest functions (self ms)`);
    for (const [name, ms] of [...r.byFunction].sort((a, b) => b[1] - a[1]).slice(0, top))
      console.log(`  ${ms.toFixed(0).padStart(6)}  ${name.slice(0, 110)}`);
  }
} finally {
  await system.stop();
}
