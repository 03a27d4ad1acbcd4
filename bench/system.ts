/**
 * `npm run bench:system`: the whole system under load, as `npm run dev` runs it, in one table
 * (docs/PERFORMANCE.md explains every figure and records the runs). Not part of `npm test`: speed is
 * measured here, never asserted. Phases, each optional (`--phases`):
 *
 *   latency     submit -> confirmed, one order at a time
 *   rates       the same at fixed arrival rates (5, 10, 20 orders/s by default)
 *   highest     the highest arrival rate whose confirm p99 stays under the limit (2 s), by stepping up
 *               from the fixed rates, then bisecting
 *   throughput  POST /orders with 32 connections against the system, a bare Hono worker and the
 *               minimal Durable Object + outbox + queue worker (bench/fixtures/), in the same run: ratios
 *   api-path    only the API path: POST /orders against the orders worker alone and the minimal worker,
 *               side by side (a minute; the last two rows of throughput, for working on that path)
 *   floor       the least an order's lifecycle can cost on this machine: the minimal worker chaining K new
 *               objects per order (each writes and publishes once, its event consumed by the next), at
 *               fixed arrival rates, judged as `highest` judges the system (every chain finished, p99
 *               under the limit). No implementation of one object per order and context does less
 *   operations  billable operations per order, counted by running every worker again behind counting
 *               wrappers (bench/fixtures/counting/), with simulated staff on so orders run to completed;
 *               and their cost per million orders at Cloudflare's published prices
 *
 * Orders are collection orders paid by `tok_visa` (the simulated card answers in 300 ms). Each order has
 * its own customer, so no rate limit is met. Latency comes from the order's own record: the `at` of its
 * history's `confirmed` entry against the moment the bench sent the POST, so the bench's polling does
 * not shape it. The hops come from the order's events' `time` and from the workers' log lines (router
 * forwards, consumer handlings), matched by the trace id the bench sends with each order.
 *
 *   npm run bench:system -- [--phases latency,rates,highest,throughput,operations] [--sequential 20]
 *     [--rates 5,10,20] [--seconds 20] [--p99-limit-ms 2000] [--step-seconds 15] [--max-steps 5]
 *     [--max-rate 200] [--connections 32] [--throughput-seconds 10] [--count-orders 20]
 *     [--count-rate 5] [--floor-objects 3,4] [--floor-rates 40,60,81] [--out dist/bench-system.json]
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import {
  existsSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import http from "node:http";
import { cpus, tmpdir, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { freePort, startDevSystem, stopProcessGroup, type DevSystem } from "../test/support/dev-system";
import { pizzaClient } from "../test/support/pizza-client";
import { arriveAtRate, COLLECTION_ORDER as ORDER } from "./arrivals";
import { writeCountingConfigs } from "./fixtures/counting/configs";
import { COUNT_PREFIX, type Count } from "./fixtures/counting/instrument";

const root = resolve(import.meta.dirname, "..");
const PHASES = ["latency", "rates", "highest", "throughput", "api-path", "floor", "operations"] as const;
/** What runs when no `--phases` is given: api-path is part of throughput; floor is asked for. */
const DEFAULT_PHASES: Phase[] = ["latency", "rates", "highest", "throughput", "operations"];
type Phase = (typeof PHASES)[number];

const { values } = parseArgs({
  options: {
    phases: { type: "string", default: DEFAULT_PHASES.join(",") },
    sequential: { type: "string", default: "20" },
    rates: { type: "string", default: "5,10,20" },
    seconds: { type: "string", default: "20" },
    "p99-limit-ms": { type: "string", default: "2000" },
    "step-seconds": { type: "string", default: "15" },
    "max-steps": { type: "string", default: "5" },
    "max-rate": { type: "string", default: "200" },
    connections: { type: "string", default: "32" },
    "throughput-seconds": { type: "string", default: "10" },
    "count-orders": { type: "string", default: "20" },
    "count-rate": { type: "string", default: "5" },
    "floor-objects": { type: "string", default: "3,4" },
    "floor-rates": { type: "string", default: "40,60,81" },
    out: { type: "string", default: "dist/bench-system.json" },
  },
});
const positive = (name: keyof typeof values) => {
  const n = Number(values[name]);
  if (!(n > 0)) usage(`--${name} must be a positive number`);
  return n;
};
function usage(message: string): never {
  console.error(message);
  console.error(
    `usage: npm run bench:system -- [--phases ${PHASES.join(",")}] [--sequential N] ` +
      "[--rates 5,10,20] [--seconds S] [--p99-limit-ms MS] [--step-seconds S] [--max-steps N] [--max-rate R] " +
      "[--connections C] [--throughput-seconds S] [--count-orders N] [--count-rate R] [--floor-objects 3,4] " +
      "[--floor-rates 40,60,81] [--out FILE]",
  );
  process.exit(2);
}
const phases = new Set(
  String(values.phases)
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean),
);
for (const p of phases) if (!PHASES.includes(p as Phase)) usage(`unknown phase ${p}`);
const on = (p: Phase) => phases.has(p);
const numbers = (name: "rates" | "floor-objects" | "floor-rates") =>
  String(values[name])
    .split(",")
    .map(Number)
    .filter((r) => r > 0);
const options = {
  sequential: Math.round(positive("sequential")),
  rates: numbers("rates"),
  seconds: positive("seconds"),
  p99LimitMs: positive("p99-limit-ms"),
  stepSeconds: positive("step-seconds"),
  maxSteps: Math.round(positive("max-steps")),
  maxRate: positive("max-rate"),
  connections: Math.round(positive("connections")),
  throughputSeconds: positive("throughput-seconds"),
  countOrders: Math.round(positive("count-orders")),
  countRate: positive("count-rate"),
  floorObjects: numbers("floor-objects"),
  floorRates: numbers("floor-rates"),
  out: resolve(root, String(values.out)),
};

const started = Date.now();
const log = (line: string) =>
  console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const hex = (bytes: number) =>
  Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0")).join("");
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** The value at or below which p% of the samples lie (nearest rank). */
function percentile(samples: number[], p: number): number | undefined {
  if (samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

async function inPool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    range(Math.min(limit, items.length)).map(async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

// ---- The workers' log lines ----------------------------------------------------------------------

const EVENT = "com.plantbasedpizza.";
const TAKE_PAYMENT = `${EVENT}payments.take-payment.v1`;
const PAYMENT_TAKEN = `${EVENT}payment.taken.v1`;

/** What the logs say about one order (by its trace id), each mark when the bench read the line. */
interface TraceMarks {
  /** Payments' consumer handled take-payment (its line comes when the handler returned). */
  takeHandled?: number;
  /** The router forwarded payment taken to orders' queue. */
  takenForwarded?: number;
  /** Events of this order the router read off the bus. */
  busEvents: Set<string>;
  /** Copies the router put on subscriber queues. */
  forwarded: number;
  /** Deliveries a consumer handled. */
  handled: number;
}
const traces = new Map<string, TraceMarks>();
let lastWorkerLine = Date.now();

/**
 * The workers' log lines, as `wrangler dev` prints them: `[worker] { key: 'value', … }`, on one line or
 * over several (one field a line). Fields are read as strings; only the bench's own traces are kept.
 */
function workerLogReader(): (line: string) => void {
  let pending: string[] | undefined;
  let at = 0;
  const field = /(\w+): (?:'([^']*)'|(-?[\w.]+))/g;
  const take = (text: string) => {
    const o: Record<string, string> = {};
    for (const m of text.matchAll(field)) o[m[1]!] = m[2] ?? m[3]!;
    lastWorkerLine = at;
    const marks = o.traceparent ? traces.get(o.traceparent.slice(3, 35)) : undefined;
    if (!marks) return;
    if (o.at === "router" && (o.outcome === "forwarded" || o.outcome === "unrouted")) {
      if (o.id) marks.busEvents.add(o.id);
      if (o.outcome !== "forwarded") return;
      marks.forwarded++;
      if (o.type === PAYMENT_TAKEN && o.queue === "orders-inbox") marks.takenForwarded ??= at;
    } else if (o.context && (o.outcome === "processed" || o.outcome === "duplicate")) {
      marks.handled++;
      if (o.context === "payments" && o.type === TAKE_PAYMENT) marks.takeHandled ??= at;
    }
  };
  return (line) => {
    if (pending) {
      pending.push(line);
      if (line.startsWith("}") || pending.length > 40) {
        take(pending.join("\n"));
        pending = undefined;
      }
      return;
    }
    if (!/^\[[\w-]+\] \{/.test(line)) return;
    at = Date.now();
    if (line.trimEnd().endsWith("}")) take(line);
    else pending = [line];
  };
}

/** Waits until no worker has logged anything for `ms` (the bus drained), at most `capMs`. */
async function workersQuiet(ms: number, capMs: number): Promise<void> {
  const until = Date.now() + capMs;
  while (Date.now() - lastWorkerLine < ms && Date.now() < until) await sleep(250);
}

// ---- Orders: placing them and reading what happened ----------------------------------------------

type Pizza = ReturnType<typeof pizzaClient>;

interface Placed {
  token: string;
  trace: string;
  /** When the bench sent the POST, and when its answer came (epoch ms). */
  sentAt: number;
  answeredAt: number;
  status: number;
  orderId?: string;
}

interface Outcome extends Placed {
  state: "confirmed" | "cancelled" | "refused" | "unresolved";
  submittedAt?: number;
  takenAt?: number;
  confirmedAt?: number;
}

async function place(pizza: Pizza, token: string): Promise<Placed> {
  const trace = hex(16);
  traces.set(trace, { busEvents: new Set(), forwarded: 0, handled: 0 });
  const sentAt = Date.now();
  const reply = await pizza
    .call("POST", "/orders", { token, body: ORDER, headers: { traceparent: `00-${trace}-${hex(8)}-01` } })
    .catch(() => ({ status: 0, body: undefined }));
  return {
    token,
    trace,
    sentAt,
    answeredAt: Date.now(),
    status: reply.status,
    ...(reply.status === 202 ? { orderId: reply.body.orderId as string } : {}),
  };
}

const timeOf = (iso: string | undefined) => (iso ? Date.parse(iso) : undefined);

/** The order once it is confirmed (with its events' times) or cancelled; undefined while it waits. */
async function outcomeOf(pizza: Pizza, p: Placed): Promise<Outcome | undefined> {
  if (!p.orderId) return { ...p, state: "refused" };
  const order = await pizza.order(p.token, p.orderId);
  if (order.status !== 200) return undefined;
  const history = order.body.history as { status: string; at: string }[];
  const confirmed = history.find((h) => h.status === "confirmed");
  if (!confirmed) return order.body.status === "cancelled" ? { ...p, state: "cancelled" } : undefined;
  const { body } = await pizza.orderEvents(p.token, p.orderId);
  const time = (type: string) => timeOf(body.events.find((e: { type: string }) => e.type === type)?.time);
  return {
    ...p,
    state: "confirmed",
    submittedAt: time(`${EVENT}order.submitted.v1`),
    takenAt: time(PAYMENT_TAKEN),
    confirmedAt: timeOf(confirmed.at),
  };
}

/** Reads every order's outcome, again each second for those still waiting, until `deadline`. */
async function outcomes(pizza: Pizza, placed: Placed[], deadline: number): Promise<Outcome[]> {
  const done = new Map<Placed, Outcome>();
  for (;;) {
    const open = placed.filter((p) => !done.has(p));
    await inPool(open, 8, async (p) => {
      const o = await outcomeOf(pizza, p).catch(() => undefined);
      if (o) done.set(p, o);
    });
    if (done.size === placed.length || Date.now() > deadline) break;
    await sleep(1000);
  }
  return placed.map((p) => done.get(p) ?? { ...p, state: "unresolved" });
}

// ---- Latency -------------------------------------------------------------------------------------

const HOPS = {
  api: "POST -> the Order object records it (worker, auth, rate limit, RPC)",
  toPayments: "-> payments has handled take-payment (outbox send, its queue, the Payment object)",
  card: "-> payment taken (the simulated card's 300 ms, then the alarm)",
  toOrders: "-> the router forwards payment taken (outbox send, bus, router)",
  ordersQueue: "-> the Order confirms (its queue, the Order object)",
} as const;
type Hop = keyof typeof HOPS;

interface Stat {
  n: number;
  p50?: number;
  p99?: number;
  max?: number;
}
const stat = (samples: number[]): Stat => ({
  n: samples.length,
  p50: percentile(samples, 50),
  p99: percentile(samples, 99),
  max: samples.length ? Math.max(...samples) : undefined,
});

interface LatencyRow {
  label: string;
  rate?: number;
  seconds?: number;
  /** Arrivals per second the bench achieved (sends over the time between the first and last). */
  achievedRate?: number;
  submitted: number;
  accepted: number;
  confirmed: number;
  cancelled: number;
  unresolved: number;
  /** POST sent -> 202 received. */
  answer: Stat;
  /** POST sent -> the order's history says confirmed. */
  confirm: Stat;
  /** `confirm` less the card hop (the simulated processor's wait): the system's own share. */
  systemShare: Stat;
  hops: Record<Hop, Stat>;
  /** From the logs, per confirmed order: bus messages read by the router, copies forwarded, handlings. */
  perOrderFromLogs: { busMessages: number; forwarded: number; handled: number };
  sustained: boolean;
}

/** Each row's orders, so that the log counts can be read again once late deliveries have come. */
const ordersOf = new Map<LatencyRow, Outcome[]>();

/** Per confirmed order, what the logs say so far: bus messages, copies forwarded, deliveries handled. */
function fromLogs(ok: Outcome[]): LatencyRow["perOrderFromLogs"] {
  let bus = 0;
  let forwarded = 0;
  let handled = 0;
  for (const o of ok) {
    const m = traces.get(o.trace);
    bus += m?.busEvents.size ?? 0;
    forwarded += m?.forwarded ?? 0;
    handled += m?.handled ?? 0;
  }
  const per = (n: number) => (ok.length ? Number((n / ok.length).toFixed(2)) : 0);
  return { busMessages: per(bus), forwarded: per(forwarded), handled: per(handled) };
}

/** After the longest batch wait (analytics', 10 s), every delivery of the rows' orders has been logged. */
async function recountFromLogs(rows: LatencyRow[]): Promise<void> {
  await workersQuiet(12_000, 60_000);
  for (const row of rows)
    row.perOrderFromLogs = fromLogs((ordersOf.get(row) ?? []).filter((o) => o.state === "confirmed"));
}

function summarise(label: string, all: Outcome[], rate?: number, seconds?: number): LatencyRow {
  const ok = all.filter((o) => o.state === "confirmed" && o.confirmedAt !== undefined);
  const hop: Record<Hop, number[]> = {
    api: [],
    toPayments: [],
    card: [],
    toOrders: [],
    ordersQueue: [],
  };
  const add = (h: Hop, from?: number, to?: number) =>
    from !== undefined && to !== undefined && hop[h].push(to - from);
  for (const o of ok) {
    const m = traces.get(o.trace);
    add("api", o.sentAt, o.submittedAt);
    // The command goes straight to payments' queue (no router line): one hop from submitted to handled.
    add("toPayments", o.submittedAt, m?.takeHandled);
    add("card", m?.takeHandled, o.takenAt);
    add("toOrders", o.takenAt, m?.takenForwarded);
    add("ordersQueue", m?.takenForwarded, o.confirmedAt);
  }
  const confirm = stat(ok.map((o) => o.confirmedAt! - o.sentAt));
  // What the system itself adds: submit -> confirmed less the simulated card's own wait (its hop).
  const own = ok.flatMap((o) => {
    const m = traces.get(o.trace);
    return m?.takeHandled !== undefined && o.takenAt !== undefined
      ? [o.confirmedAt! - o.sentAt - (o.takenAt - m.takeHandled)]
      : [];
  });
  const sent = all.map((o) => o.sentAt);
  const span = (Math.max(...sent) - Math.min(...sent)) / 1000;
  const count = (s: Outcome["state"]) => all.filter((o) => o.state === s).length;
  const row: LatencyRow = {
    label,
    ...(rate !== undefined ? { rate, seconds } : {}),
    ...(rate !== undefined && span > 0 ? { achievedRate: Number(((all.length - 1) / span).toFixed(2)) } : {}),
    submitted: all.length,
    accepted: all.filter((o) => o.status === 202).length,
    confirmed: ok.length,
    cancelled: count("cancelled"),
    unresolved: count("unresolved"),
    answer: stat(all.filter((o) => o.status === 202).map((o) => o.answeredAt - o.sentAt)),
    confirm,
    systemShare: stat(own),
    hops: Object.fromEntries(Object.entries(hop).map(([h, s]) => [h, stat(s)])) as Record<Hop, Stat>,
    perOrderFromLogs: fromLogs(ok),
    sustained: ok.length === all.length && all.length > 0 && (confirm.p99 ?? Infinity) <= options.p99LimitMs,
  };
  ordersOf.set(row, all);
  return row;
}

let customers = 0;
const customerToken = (pizza: Pizza) => pizza.token(`bench-customer-${++customers}-${hex(4)}`);

/** One order at a time: each submitted when the one before is confirmed. */
async function oneAtATime(pizza: Pizza, n: number, label: string): Promise<LatencyRow> {
  const all: Outcome[] = [];
  for (let i = 0; i < n; i++) {
    const p = await place(pizza, await customerToken(pizza));
    let o: Outcome | undefined;
    const deadline = Date.now() + 45_000;
    while (!o && Date.now() < deadline) {
      // Polled only to know when to send the next order: the latency comes from the order's history.
      o = await outcomeOf(pizza, p).catch(() => undefined);
      if (!o) await sleep(50);
    }
    all.push(o ?? { ...p, state: "unresolved" });
  }
  await workersQuiet(1000, 15_000);
  return summarise(label, all);
}

/** Orders arriving at `rate` per second for `seconds`, each on its own schedule, read afterwards. */
async function atRate(pizza: Pizza, rate: number, seconds: number, label: string): Promise<LatencyRow> {
  const n = Math.max(2, Math.round(rate * seconds));
  const tokens = await Promise.all(range(n).map(() => customerToken(pizza)));
  const placed = await arriveAtRate(n, rate, (i) => place(pizza, tokens[i]!));
  // Read only once the arrivals are over, so that reading does not load the system being measured.
  await sleep(1000);
  const all = await outcomes(pizza, placed, Math.max(...placed.map((p) => p.sentAt)) + 40_000);
  await workersQuiet(2000, 90_000);
  const row = summarise(label, all, rate, seconds);
  log(
    `${label}: ${row.confirmed}/${row.submitted} confirmed, p50 ${row.confirm.p50} ms, p99 ${row.confirm.p99} ms` +
      (row.sustained ? "" : "  (not sustained)"),
  );
  return row;
}

interface Highest {
  /** The highest rate measured with every order confirmed and p99 under the limit. */
  sustained?: number;
  /** The lowest rate measured that was not. */
  failed?: number;
  steps: LatencyRow[];
}

/** Steps the rate up by half from the best sustained one, then bisects between it and the first failure. */
async function highestSustained(pizza: Pizza, known: LatencyRow[]): Promise<Highest> {
  const withRate = known.filter((r) => r.rate !== undefined);
  let pass = Math.max(...withRate.filter((r) => r.sustained).map((r) => r.rate!), -Infinity);
  let fail = Math.min(...withRate.filter((r) => !r.sustained).map((r) => r.rate!), Infinity);
  const steps: LatencyRow[] = [];
  for (let i = 0; i < options.maxSteps; i++) {
    let next: number;
    if (fail === Infinity) next = pass > 0 ? Math.round(pass * 1.5) : 5;
    else if (pass === -Infinity) next = Math.floor(fail / 2);
    else if (fail - pass <= Math.max(2, pass * 0.1)) break;
    else next = Math.round((pass + fail) / 2);
    if (next < 1 || next > options.maxRate) break;
    const row = await atRate(pizza, next, options.stepSeconds, `search at ${next} orders/s`);
    steps.push(row);
    if (row.sustained) pass = Math.max(pass, next);
    else fail = Math.min(fail, next);
  }
  return {
    ...(pass > 0 ? { sustained: pass } : {}),
    ...(fail < Infinity ? { failed: fail } : {}),
    steps,
  };
}

// ---- Throughput ----------------------------------------------------------------------------------

interface Throughput {
  target: string;
  seconds: number;
  connections: number;
  /** 202 answers per second. */
  acceptedPerSecond: number;
  answers: Record<string, number>;
  latency: Stat;
}

/** POST /orders from `connections` keep-alive connections, each sending the next on an answer. */
async function hammer(
  target: string,
  baseUrl: string,
  headers: (i: number) => Record<string, string>,
): Promise<Throughput> {
  const { hostname, port } = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const body = JSON.stringify(ORDER);
  let i = 0;
  const one = () =>
    new Promise<number>((done) => {
      const req = http.request(
        {
          host: hostname,
          port,
          path: "/orders",
          method: "POST",
          agent,
          headers: {
            "Content-Type": "application/json",
            "Content-Length": Buffer.byteLength(body),
            ...headers(i++),
          },
        },
        (res) => {
          res.resume();
          res.on("end", () => done(res.statusCode ?? 0));
          res.on("error", () => done(0));
        },
      );
      req.on("error", () => done(0));
      req.end(body);
    });
  const answers: Record<string, number> = {};
  const latencies: number[] = [];
  const run = async (ms: number, record: boolean) => {
    const until = Date.now() + ms;
    await Promise.all(
      range(options.connections).map(async () => {
        while (Date.now() < until) {
          const t = performance.now();
          const status = await one();
          if (!record) continue;
          latencies.push(performance.now() - t);
          answers[status] = (answers[status] ?? 0) + 1;
        }
      }),
    );
  };
  await run(2000, false); // warm-up: connections open, isolates compiled
  const t0 = performance.now();
  await run(options.throughputSeconds * 1000, true);
  const elapsed = (performance.now() - t0) / 1000;
  agent.destroy();
  const result = {
    target,
    seconds: Number(elapsed.toFixed(2)),
    connections: options.connections,
    acceptedPerSecond: Number(((answers["202"] ?? 0) / elapsed).toFixed(1)),
    answers,
    latency: stat(latencies.map((l) => Number(l.toFixed(2)))),
  };
  log(`throughput, ${target}: ${result.acceptedPerSecond} accepted/s, answers ${JSON.stringify(answers)}`);
  return result;
}

// ---- Other wrangler dev sessions: the baselines and the counting run -------------------------------

interface Session {
  baseUrl: string;
  stop: () => Promise<void>;
}

/** Every wrangler dev still running, stopped at the end of a phase, on an error or on Ctrl-C. */
const sessions: { stop: () => Promise<void> }[] = [];
const stopAll = () => Promise.all(sessions.splice(0).map((s) => s.stop()));

/** `wrangler dev -c …` on free ports with fresh state (as startDevSystem runs `npm run dev`). */
async function startWrangler(
  label: string,
  configs: string[],
  flags: string[],
  probe: string,
  onLine?: (line: string) => void,
): Promise<Session> {
  const port = await freePort();
  const state = mkdtempSync(join(tmpdir(), `bench-${label}-`));
  let tail = "";
  let partial = "";
  const dev: ChildProcess = spawn(
    join(root, "node_modules", ".bin", "wrangler"),
    [
      "dev",
      ...configs.flatMap((c) => ["-c", c]),
      "--port",
      String(port),
      "--inspector-port",
      String(await freePort()),
      "--persist-to",
      state,
      "--ip",
      "127.0.0.1",
      ...flags,
    ],
    {
      cwd: root,
      env: {
        ...process.env,
        // wrangler needs Node 22, which npm scripts get from the `node` devDependency.
        PATH: `${join(root, "node_modules", "node", "bin")}:${process.env.PATH}`,
        CI: "true",
        WRANGLER_SEND_METRICS: "false",
        FAULTS: "",
        NODE_ENV: "development",
      },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    },
  );
  const read = (chunk: Buffer) => {
    const text = chunk.toString();
    tail = (tail + text).slice(-6000);
    const lines = (partial + text).split("\n");
    partial = lines.pop() ?? "";
    if (onLine) for (const line of lines) onLine(line);
  };
  dev.stdout!.on("data", read);
  dev.stderr!.on("data", read);
  const exited = new Promise<void>((done) => dev.on("exit", () => done()));
  const stop = async () => {
    await stopProcessGroup(dev, exited);
    rmSync(state, { recursive: true, force: true });
  };
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (dev.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`wrangler dev (${label}) did not serve ${probe}\n${tail}`);
    }
    const res = await fetch(`${baseUrl}${probe}`).catch(() => undefined);
    if (res && res.status < 500) break;
    await sleep(250);
  }
  return { baseUrl, stop };
}

// ---- Operations: counted ---------------------------------------------------------------------------

/** Sums of the counting lines, by kind, worker and target. */
type Tally = Map<
  string,
  {
    k: Count["k"];
    w: string;
    t: string;
    lines: number;
    n: number;
    chunks: number;
    rw: number;
    rr: number;
    cls?: string;
  }
>;

function tallyReader(into: () => Tally, seen: () => void): (line: string) => void {
  return (line) => {
    const i = line.indexOf(COUNT_PREFIX);
    if (i < 0) return;
    let c: Count;
    try {
      c = JSON.parse(line.slice(i + COUNT_PREFIX.length)) as Count;
    } catch {
      return;
    }
    seen();
    // A statement's rows are told apart by the statement (`s`), so the detail says which ones write.
    const t = "t" in c ? ("s" in c ? `${c.t}: ${c.s}` : c.t) : "q" in c ? c.q : "";
    const key = `${c.k}|${c.w}|${t}`;
    const tally = into();
    const e = tally.get(key) ?? { k: c.k, w: c.w, t, lines: 0, n: 0, chunks: 0, rw: 0, rr: 0 };
    e.lines++;
    if ("n" in c) e.n += c.n;
    if ("chunks" in c) e.chunks += c.chunks;
    if ("cls" in c) e.cls = c.cls;
    if ("rw" in c) {
      e.rw += c.rw;
      e.rr += c.rr;
    }
    tally.set(key, e);
  };
}

/** Published prices (USD per million), Workers Paid, beyond the included monthly usage. */
const PRICES = {
  workersRequest: {
    usdPerMillion: 0.3,
    source: "https://developers.cloudflare.com/workers/platform/pricing/",
  },
  queueOperation: {
    usdPerMillion: 0.4,
    source: "https://developers.cloudflare.com/queues/platform/pricing/",
  },
  durableObjectRequest: {
    usdPerMillion: 0.15,
    source: "https://developers.cloudflare.com/durable-objects/platform/pricing/",
  },
  rowWritten: {
    usdPerMillion: 1.0,
    source: "https://developers.cloudflare.com/durable-objects/platform/pricing/",
  },
  rowRead: {
    usdPerMillion: 0.001,
    source: "https://developers.cloudflare.com/durable-objects/platform/pricing/",
  },
  r2ClassA: { usdPerMillion: 4.5, source: "https://developers.cloudflare.com/r2/pricing/" },
  r2ClassB: { usdPerMillion: 0.36, source: "https://developers.cloudflare.com/r2/pricing/" },
} as const;

/**
 * What runs only because the staff are simulated, never in a deploy: their Durable Object, and their
 * queue (the router forwards to it only in a local development build: shared/local-life.ts).
 */
const simulatorOnly = (e: { w: string; t: string }) =>
  (e.w === "pizza-orders" && /^(SimulatedStaffShift\b|SIMULATED_STAFF_SHIFTS\.)/.test(e.t)) ||
  /staff-simulator-inbox|STAFF_SIMULATOR_INBOX/.test(e.t);
/** What only the local runtime does: miniflare records each object's name in its own table, per request. */
const miniflareOnly = (e: { t: string }) => e.t.includes("__miniflare_do_name");
const notBilled = (e: { w: string; t: string }) => simulatorOnly(e) || miniflareOnly(e);
const STAFF_APIS = new Set(["KITCHEN.handle", "DELIVERY.handle", "COLLECTION.handle"]);

interface Billable {
  /** HTTP requests into the public worker. */
  apiRequests: number;
  /** Staff commands (the simulated staff's, over service bindings): each an HTTP request in production. */
  staffRequests: number;
  /** Queue consumer invocations (batches). */
  consumerInvocations: number;
  queueMessagesWritten: number;
  queueWrites: number;
  queueReads: number;
  queueDeletes: number;
  queueRetries: number;
  queueOperations: number;
  durableObjectRpc: number;
  durableObjectAlarms: number;
  durableObjectRequests: number;
  rowsWritten: number;
  setAlarms: number;
  rowsRead: number;
  r2ClassA: number;
  r2ClassB: number;
  /** Not on a price list: counted for the record. */
  queueMetricsCalls: number;
  rateLimitCalls: number;
}

function billable(tally: Tally, per: number): { figures: Billable; detail: Record<string, number> } {
  const all = [...tally.values()];
  const real = all.filter((e) => !notBilled(e));
  const sum = (k: Count["k"], f: (e: (typeof all)[number]) => number, from = real) =>
    from.filter((e) => e.k === k).reduce((s, e) => s + f(e), 0);
  const written = sum("send", (e) => e.n);
  const chunksPerMessage = written ? sum("send", (e) => e.chunks) / written : 1;
  const queueReads = sum("batch", (e) => e.n) * chunksPerMessage;
  const queueDeletes = sum("ack", (e) => e.n) * chunksPerMessage;
  const queueWrites = sum("send", (e) => e.chunks);
  const rpc = sum("rpc", (e) => e.lines);
  const alarms = sum("alarm", (e) => e.lines);
  const setAlarms = sum("set-alarm", (e) => e.lines);
  const f = (n: number) => Number((n / per).toFixed(2));
  const figures: Billable = {
    apiRequests: f(sum("request", (e) => e.lines)),
    staffRequests: f(sum("service", (e) => (STAFF_APIS.has(e.t) ? e.lines : 0), all)),
    consumerInvocations: f(sum("batch", (e) => e.lines)),
    queueMessagesWritten: f(written),
    queueWrites: f(queueWrites),
    queueReads: f(queueReads),
    queueDeletes: f(queueDeletes),
    queueRetries: f(sum("retry", (e) => e.n)),
    queueOperations: f(queueWrites + queueReads + queueDeletes),
    durableObjectRpc: f(rpc),
    durableObjectAlarms: f(alarms),
    durableObjectRequests: f(rpc + alarms),
    rowsWritten: f(sum("sql", (e) => e.rw) + setAlarms),
    setAlarms: f(setAlarms),
    rowsRead: f(sum("sql", (e) => e.rr)),
    r2ClassA: f(sum("r2", (e) => (e.cls === "A" ? e.lines : 0))),
    r2ClassB: f(sum("r2", (e) => (e.cls === "B" ? e.lines : 0))),
    queueMetricsCalls: f(sum("queue-metrics", (e) => e.lines)),
    rateLimitCalls: f(sum("rate-limit", (e) => e.lines)),
  };
  const detail: Record<string, number> = {};
  for (const e of all.sort((a, b) => `${a.k}${a.w}${a.t}`.localeCompare(`${b.k}${b.w}${b.t}`))) {
    const name = `${e.k} ${e.w} ${e.t}`;
    const only = simulatorOnly(e) ? " [simulator only]" : miniflareOnly(e) ? " [miniflare only]" : "";
    if (e.k === "sql") {
      if (e.rw) detail[`${name} (rows written)${only}`] = f(e.rw);
      if (e.rr) detail[`${name} (rows read)${only}`] = f(e.rr);
    } else detail[`${name}${only}`] = f(["send", "batch", "ack", "retry"].includes(e.k) ? e.n : e.lines);
  }
  return { figures, detail };
}

/** Cost per million orders (USD): each figure per order times its price per million. */
function costPerMillion(b: Billable, consumerInvocationsBilled: boolean) {
  const lines = {
    "Workers requests (API and staff)":
      (b.apiRequests + b.staffRequests) * PRICES.workersRequest.usdPerMillion,
    "Queue consumer invocations (as Workers requests)": consumerInvocationsBilled
      ? b.consumerInvocations * PRICES.workersRequest.usdPerMillion
      : 0,
    "Queue operations": b.queueOperations * PRICES.queueOperation.usdPerMillion,
    "Durable Object requests (RPC and alarms)":
      b.durableObjectRequests * PRICES.durableObjectRequest.usdPerMillion,
    "SQLite rows written": b.rowsWritten * PRICES.rowWritten.usdPerMillion,
    "SQLite rows read": b.rowsRead * PRICES.rowRead.usdPerMillion,
    "R2 class A (archive puts)": b.r2ClassA * PRICES.r2ClassA.usdPerMillion,
    "R2 class B": b.r2ClassB * PRICES.r2ClassB.usdPerMillion,
  };
  const rounded = Object.fromEntries(Object.entries(lines).map(([k, v]) => [k, Number(v.toFixed(2))]));
  return {
    ...rounded,
    total: Number(
      Object.values(lines)
        .reduce((a, b) => a + b, 0)
        .toFixed(2),
    ),
  };
}

interface Operations {
  orders: { collection: number; delivery: number };
  completed: { collection: number; delivery: number };
  staffStepSeconds: number;
  rate: number;
  perOrder: { collection: Billable; delivery: Billable; statusRead: Billable };
  detailPerOrder: {
    collection: Record<string, number>;
    delivery: Record<string, number>;
    statusRead: Record<string, number>;
  };
  costPerMillionOrders: {
    collection: ReturnType<typeof costPerMillion>;
    delivery: ReturnType<typeof costPerMillion>;
    statusReadPerMillion: ReturnType<typeof costPerMillion>;
  };
}

async function countOperations(): Promise<Operations> {
  const STEP_SECONDS = 1;
  const dir = mkdtempSync(join(tmpdir(), "bench-counting-"));
  let tally: Tally = new Map();
  let lastCount = Date.now();
  const configs = writeCountingConfigs(dir);
  log(`operations: starting every worker behind counting wrappers (${configs.length} configs)`);
  const session = await startWrangler(
    "counting",
    configs,
    [
      "--var",
      "SIMULATED_STAFF:on",
      "--var",
      `SIMULATED_STAFF_STEP_SECONDS:${STEP_SECONDS}`,
      "--var",
      "FAULTS:",
    ],
    "/menu",
    tallyReader(
      () => tally,
      () => (lastCount = Date.now()),
    ),
  );
  sessions.push(session);
  const quiet = async (ms: number, capMs: number) => {
    const until = Date.now() + capMs;
    while (Date.now() - lastCount < ms && Date.now() < until) await sleep(250);
  };
  const take = () => {
    const t = tally;
    tally = new Map();
    return t;
  };
  try {
    const pizza = pizzaClient(session.baseUrl);
    const n = options.countOrders;
    // Delivery customers with an address, first (a customer's cost, not an order's): then forgotten.
    const people = await Promise.all(range(n).map(() => customerToken(pizza)));
    const addresses: string[] = [];
    for (const [i, token] of people.entries()) {
      const added = await pizza.addAddress(token, {
        line1: `${i + 1} Bench Street`,
        city: "Leeds",
        postcode: "LS1 4AP",
        country: "GB",
      });
      if (added.status !== 201)
        throw new Error(`adding an address: ${added.status} ${JSON.stringify(added.body)}`);
      addresses.push(added.body.addressId);
    }
    await quiet(7000, 60_000);
    take();

    const run = async (label: string, body: (i: number) => object, token: (i: number) => Promise<string>) => {
      const placed: { token: string; orderId: string }[] = [];
      const start = Date.now();
      await Promise.all(
        range(n).map(async (i) => {
          await sleep(Math.max(0, start + (i * 1000) / options.countRate - Date.now()));
          const t = await token(i);
          const r = await pizza.submitOrder(t, body(i));
          if (r.status !== 202) throw new Error(`${label} order ${i}: ${r.status} ${JSON.stringify(r.body)}`);
          placed.push({ token: t, orderId: r.body.orderId });
        }),
      );
      // Everything an order sets off, to its last alarm, has happened when nothing is counted for 13 s
      // (the longest wait in the system is analytics' 10 s batch).
      await quiet(13_000, 180_000);
      log(`operations: ${n} ${label} orders counted`);
      return { placed, tally: take() };
    };
    const collection = await run(
      "collection",
      () => ORDER,
      () => customerToken(pizza),
    );
    const delivery = await run(
      "delivery",
      (i) => ({ ...ORDER, fulfilment: "delivery", deliveryAddressId: addresses[i] }),
      async (i) => people[i]!,
    );

    // Then one status read of each (GET /orders/{id}), counted apart: what a customer's poll costs.
    const completed = { collection: 0, delivery: 0 };
    for (const [label, set] of [
      ["collection", collection],
      ["delivery", delivery],
    ] as const)
      for (const p of set.placed)
        if ((await pizza.order(p.token, p.orderId)).body?.status === "completed") completed[label]++;
    await quiet(1500, 10_000);
    const reads = take();

    const c = billable(collection.tally, n);
    const d = billable(delivery.tally, n);
    const r = billable(reads, 2 * n);
    return {
      orders: { collection: n, delivery: n },
      completed,
      staffStepSeconds: STEP_SECONDS,
      rate: options.countRate,
      perOrder: { collection: c.figures, delivery: d.figures, statusRead: r.figures },
      detailPerOrder: { collection: c.detail, delivery: d.detail, statusRead: r.detail },
      costPerMillionOrders: {
        collection: costPerMillion(c.figures, true),
        delivery: costPerMillion(d.figures, true),
        statusReadPerMillion: costPerMillion(r.figures, true),
      },
    };
  } finally {
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- The run ---------------------------------------------------------------------------------------

interface Report {
  date: string;
  machine: { cpus: number; cpu: string; memoryGb: number; node: string; wrangler: string };
  commit: string;
  options: typeof options & { phases: string[] };
  latency: LatencyRow[];
  highest?: Highest;
  throughput?: {
    /** Absent from an `api-path` run. */
    system?: Throughput;
    /** POST /orders with the orders worker alone: nobody consumes what it publishes. */
    apiAlone: Throughput;
    minimal: Throughput;
    bare?: Throughput;
    ratios: Record<string, number>;
  };
  floor?: FloorRow[];
  operations?: Operations;
  prices: typeof PRICES;
}

function machine(): Report["machine"] {
  const wranglerPkg = JSON.parse(
    readFileSync(join(root, "node_modules", "wrangler", "package.json"), "utf8"),
  );
  return {
    cpus: cpus().length,
    cpu: cpus()[0]?.model ?? "?",
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    wrangler: wranglerPkg.version,
  };
}

function commit(): string {
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root }).toString().trim();
    // Tracked files only: a bench clone with node_modules linked in is still the commit.
    const dirty =
      execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: root })
        .toString()
        .trim() !== "";
    return dirty ? `${head} (with uncommitted changes)` : head;
  } catch {
    return "?";
  }
}

/** The throughput phases' callers: enough customers that none meets the limit of 30 commands per 10 s. */
async function callers(pizza: Pizza): Promise<(i: number) => Record<string, string>> {
  const tokens = await Promise.all(range(4000).map(() => customerToken(pizza)));
  return (i) => ({ Authorization: `Bearer ${tokens[i % tokens.length]}` });
}

const startMinimal = () =>
  startWrangler("minimal", [join(root, "bench/fixtures/minimal/wrangler.toml")], [], "/");

const ratio = (a: number, z: number) => (z > 0 ? Number((a / z).toFixed(3)) : 0);

/**
 * POST /orders with the orders worker alone (its API and Order objects, no router, no payments, no
 * other consumer): what the API path costs, as the minimal worker's figure is, without the rest of every
 * accepted order's lifecycle sharing the same local core. On Cloudflare the consumers run elsewhere;
 * locally they compete with the API for one workerd thread.
 */
async function apiPathAlone(bearer: (i: number) => Record<string, string>): Promise<Throughput> {
  log("starting the orders worker alone (nobody consuming what it publishes)");
  const api = await startWrangler(
    "api",
    [join(root, "wrangler.toml")],
    ["--var", "SIMULATED_STAFF:off"],
    "/menu",
  );
  sessions.push(api);
  return hammer("the API path alone (orders worker only)", api.baseUrl, bearer);
}

interface FloorRow {
  /** New objects per order, each writing and publishing once. */
  objects: number;
  rate: number;
  seconds: number;
  submitted: number;
  accepted: number;
  /** Orders whose last object's event was consumed. */
  finished: number;
  /** POST sent -> the last object's event consumed. */
  lifecycle: Stat;
  sustained: boolean;
}

/**
 * Orders at `rate` for `seconds` into the minimal worker, each a chain of `objects` new objects
 * (bench/fixtures/minimal/index.ts), then `GET /finished` until every chain finished (or 40 s).
 */
async function floorAtRate(baseUrl: string, objects: number, rate: number): Promise<FloorRow> {
  const seconds = options.stepSeconds;
  const n = Math.max(2, Math.round(rate * seconds));
  const sentAt = new Map<string, number>();
  await arriveAtRate(n, rate, async () => {
    const at = Date.now();
    const res = await fetch(`${baseUrl}/orders?objects=${objects}`, {
      method: "POST",
      body: JSON.stringify(ORDER),
    }).catch(() => undefined);
    if (res?.status === 202) sentAt.set(((await res.json()) as { orderId: string }).orderId, at);
    else await res?.body?.cancel();
  });
  const finishedAt = new Map<string, number>();
  const deadline = Date.now() + 40_000;
  while (Date.now() < deadline) {
    const read = (await (await fetch(`${baseUrl}/finished`)).json()) as Record<string, number>;
    for (const [id, at] of Object.entries(read)) finishedAt.set(id, at);
    if ([...sentAt.keys()].every((id) => finishedAt.has(id))) break;
    await sleep(1000);
  }
  const lifecycles = [...sentAt].flatMap(([id, at]) => {
    const end = finishedAt.get(id);
    return end === undefined ? [] : [end - at];
  });
  const lifecycle = stat(lifecycles);
  const row: FloorRow = {
    objects,
    rate,
    seconds,
    submitted: n,
    accepted: sentAt.size,
    finished: lifecycles.length,
    lifecycle,
    sustained: lifecycles.length === n && (lifecycle.p99 ?? Infinity) <= options.p99LimitMs,
  };
  log(
    `floor, ${objects} objects an order at ${rate}/s: ${row.finished}/${n} finished, ` +
      `p50 ${lifecycle.p50} ms, p99 ${lifecycle.p99} ms${row.sustained ? "" : "  (not sustained)"}`,
  );
  return row;
}

async function main(): Promise<Report> {
  // `npm run dev` makes .dev.vars on its first run; the counting run reads it too.
  if (!existsSync(join(root, ".dev.vars")))
    copyFileSync(join(root, ".dev.vars.example"), join(root, ".dev.vars"));
  const report: Report = {
    date: new Date().toISOString(),
    machine: machine(),
    commit: commit(),
    options: { ...options, phases: [...phases] },
    latency: [],
    prices: PRICES,
  };
  process.on("SIGINT", () => void stopAll().then(() => process.exit(130)));
  try {
    if (on("latency") || on("rates") || on("highest") || on("throughput")) {
      log("starting the system as `npm run dev` does (simulated staff off)");
      const system: DevSystem = await startDevSystem(
        ["--var", "SIMULATED_STAFF:off"],
        {},
        [],
        workerLogReader(),
      );
      sessions.push(system);
      const pizza = pizzaClient(system.baseUrl);
      await oneAtATime(pizza, 3, "warm-up");
      if (on("latency")) {
        const row = await oneAtATime(pizza, options.sequential, "one at a time");
        report.latency.push(row);
        log(`one at a time: p50 ${row.confirm.p50} ms, p99 ${row.confirm.p99} ms (${row.confirmed} orders)`);
      }
      if (on("rates"))
        for (const rate of options.rates)
          report.latency.push(await atRate(pizza, rate, options.seconds, `${rate} orders/s`));
      if (on("highest")) report.highest = await highestSustained(pizza, report.latency);
      await recountFromLogs([...report.latency, ...(report.highest?.steps ?? [])]);
      if (on("throughput")) {
        log("starting the baselines: a bare Hono worker, the minimal Durable Object + outbox + queue worker");
        const [bare, minimal] = await Promise.all([
          startWrangler("bare", [join(root, "bench/fixtures/bare/wrangler.toml")], [], "/"),
          startMinimal(),
        ]);
        sessions.push(bare, minimal);
        await workersQuiet(2000, 60_000);
        const none = () => ({});
        const b = await hammer("bare Hono worker", bare.baseUrl, none);
        const m = await hammer("minimal DO + outbox + queue worker", minimal.baseUrl, none);
        const bearer = await callers(pizza);
        const s = await hammer("the system", system.baseUrl, bearer);
        await stopAll();
        const a = await apiPathAlone(bearer);
        report.throughput = {
          system: s,
          apiAlone: a,
          minimal: m,
          bare: b,
          ratios: {
            "system / minimal": ratio(s.acceptedPerSecond, m.acceptedPerSecond),
            "API path alone / minimal": ratio(a.acceptedPerSecond, m.acceptedPerSecond),
            "system / bare": ratio(s.acceptedPerSecond, b.acceptedPerSecond),
            "minimal / bare": ratio(m.acceptedPerSecond, b.acceptedPerSecond),
          },
        };
      }
      await stopAll();
    }
    if (on("api-path") && !on("throughput")) {
      log("starting the minimal Durable Object + outbox + queue worker");
      const minimal = await startMinimal();
      sessions.push(minimal);
      const m = await hammer("minimal DO + outbox + queue worker", minimal.baseUrl, () => ({}));
      await stopAll();
      const a = await apiPathAlone(await callers(pizzaClient("http://tokens.only.invalid")));
      report.throughput = {
        apiAlone: a,
        minimal: m,
        ratios: { "API path alone / minimal": ratio(a.acceptedPerSecond, m.acceptedPerSecond) },
      };
      await stopAll();
    }
    if (on("floor")) {
      report.floor = [];
      for (const objects of options.floorObjects) {
        // A fresh minimal worker for each chain length, as each system phase starts fresh.
        log(`starting the minimal worker for the floor: ${objects} new objects an order`);
        const minimal = await startMinimal();
        sessions.push(minimal);
        for (const rate of options.floorRates)
          report.floor.push(await floorAtRate(minimal.baseUrl, objects, rate));
        await stopAll();
      }
    }
    if (on("operations")) report.operations = await countOperations();
  } finally {
    await stopAll();
  }
  return report;
}

// ---- The table -------------------------------------------------------------------------------------

const ms = (n: number | undefined) => (n === undefined ? "-" : `${Math.round(n)}`);
const usd = (n: number) => `$${n.toFixed(2)}`;

function table(r: Report): string {
  const rows: [string, string][] = [];
  const section = (title: string) => rows.push([`## ${title}`, ""]);
  section("submit -> confirmed (ms, p50 / p99 / max; POST answered p50)");
  for (const l of r.latency) {
    const what =
      l.rate === undefined ? l.label : `${l.label} for ${l.seconds} s (achieved ${l.achievedRate}/s)`;
    const failed = l.submitted - l.confirmed;
    rows.push([
      what,
      `${ms(l.confirm.p50)} / ${ms(l.confirm.p99)} / ${ms(l.confirm.max)}; 202 in ${ms(l.answer.p50)}; ` +
        `${l.confirmed}/${l.submitted} confirmed${failed ? ` (${l.cancelled} cancelled, ${l.unresolved} unresolved, ${l.submitted - l.accepted} refused)` : ""}`,
    ]);
  }
  if (r.highest) {
    const h = r.highest;
    rows.push([
      `highest arrival rate with every order confirmed, p99 < ${options.p99LimitMs} ms`,
      `${h.sustained ?? "none"} orders/s${h.failed ? ` (${h.failed}/s was not)` : " (search stopped before a failure)"}`,
    ]);
    for (const s of h.steps)
      rows.push([
        `  ${s.label}`,
        `p50 ${ms(s.confirm.p50)} / p99 ${ms(s.confirm.p99)}, ${s.confirmed}/${s.submitted} confirmed`,
      ]);
  }
  const timed = r.latency.filter((l) => l.confirmed > 0);
  if (timed.length) {
    section(`where the time goes (ms, p50 by hop: ${timed.map((l) => l.label).join(" | ")})`);
    for (const [hop, text] of Object.entries(HOPS))
      rows.push([text, timed.map((l) => ms(l.hops[hop as Hop].p50)).join(" | ")]);
    rows.push([
      "the system's own share (submit -> confirmed less the card hop), p50 / p99",
      timed.map((l) => `${ms(l.systemShare.p50)} / ${ms(l.systemShare.p99)}`).join(" | "),
    ]);
    rows.push([
      "queue messages per order, from the logs (bus / forwarded / handled)",
      timed
        .map(
          (l) =>
            `${l.perOrderFromLogs.busMessages}/${l.perOrderFromLogs.forwarded}/${l.perOrderFromLogs.handled}`,
        )
        .join(" | "),
    ]);
  }
  if (r.throughput) {
    const t = r.throughput;
    section(
      `POST /orders throughput (${options.connections} connections, ${options.throughputSeconds} s, accepted/s; p50 / p99 ms)`,
    );
    for (const x of [t.system, t.apiAlone, t.minimal, t.bare].filter((x) => x !== undefined))
      rows.push([
        x.target,
        `${x.acceptedPerSecond}/s; ${ms(x.latency.p50)} / ${ms(x.latency.p99)}; answers ${JSON.stringify(x.answers)}`,
      ]);
    for (const [k, v] of Object.entries(t.ratios)) rows.push([`ratio ${k}`, String(v)]);
  }
  if (r.floor) {
    section(
      `the floor: K new objects an order, each writing and publishing once (POST -> last event consumed, ms, p50 / p99)`,
    );
    for (const f of r.floor)
      rows.push([
        `${f.objects} objects an order, ${f.rate}/s for ${f.seconds} s`,
        `${ms(f.lifecycle.p50)} / ${ms(f.lifecycle.p99)}; ${f.finished}/${f.submitted} finished` +
          (f.sustained ? "; sustained" : "; not sustained"),
      ]);
  }
  if (r.operations) {
    const o = r.operations;
    section(
      `billable operations per order, counted (collection | delivery | one status read); ${o.orders.collection}+${o.orders.delivery} orders, ` +
        `${o.completed.collection + o.completed.delivery} completed`,
    );
    const keys: [keyof Billable, string][] = [
      ["apiRequests", "Workers requests: API (POST /orders)"],
      ["staffRequests", "Workers requests: staff commands (one HTTP request each in production)"],
      ["consumerInvocations", "queue consumer invocations (batches)"],
      ["queueMessagesWritten", "queue messages written"],
      ["queueOperations", "queue operations (write + read + delete, per 64 KB)"],
      ["durableObjectRpc", "Durable Object RPC calls"],
      ["durableObjectAlarms", "Durable Object alarms"],
      ["rowsWritten", "SQLite rows written (setAlarm counts one)"],
      ["rowsRead", "SQLite rows read"],
      ["r2ClassA", "R2 class A operations (event archive puts)"],
      ["r2ClassB", "R2 class B operations"],
    ];
    const p = o.perOrder;
    for (const [k, text] of keys)
      rows.push([text, `${p.collection[k]} | ${p.delivery[k]} | ${p.statusRead[k]}`]);
    section(
      "cost per million orders, USD at published prices (collection | delivery | a million status reads)",
    );
    const c = o.costPerMillionOrders;
    for (const k of Object.keys(c.collection))
      rows.push([
        k,
        [c.collection, c.delivery, c.statusReadPerMillion]
          .map((x) => usd((x as Record<string, number>)[k]!))
          .join(" | "),
      ]);
  }
  const width = Math.max(...rows.map(([a]) => a.length));
  const header = `npm run bench:system, ${r.date.slice(0, 10)}, ${r.machine.cpus} x ${r.machine.cpu}, commit ${r.commit}`;
  return [
    header,
    ...rows.map(([a, b]) => (a.startsWith("## ") ? `\n${a.slice(3)}` : `  ${a.padEnd(width)}  ${b}`)),
  ].join("\n");
}

const report = await main();
mkdirSync(dirname(options.out), { recursive: true });
writeFileSync(options.out, JSON.stringify(report, null, 2) + "\n");
console.log(`\n${table(report)}\n\nwritten to ${options.out}`);
