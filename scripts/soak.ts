/**
 * `npm run soak -- --orders 10000 [--rate 4] [--settle-minutes N]` runs the soak of `npm test`
 * (test/e2e/soak.test.ts) at any size: it starts the system as `FAULTS=… npm run dev` does, on free
 * ports with fresh state, puts the orders through it, reconciles money, loyalty, revenue and dead
 * letters, prints the figures and exits 1 if any promise broke. FAULTS in the environment replaces the
 * soak's own faults (`FAULTS= npm run soak` runs without any).
 */
import { parseArgs } from "node:util";
import { runSoak } from "../test/soak/soak";
import {
  FAULT_SIGHTINGS,
  SOAK_FAULTS,
  SOAK_PAYMENT_TIMEOUT_SECONDS,
  startSoakSystem,
} from "../test/soak/soak-system";

const { values } = parseArgs({
  options: {
    orders: { type: "string", default: "300" },
    rate: { type: "string", default: "4" },
    "settle-minutes": { type: "string" },
  },
});
const orders = Number(values.orders);
const rate = Number(values.rate);
if (!Number.isInteger(orders) || orders < 1 || !(rate > 0)) {
  console.error(
    "usage: npm run soak -- --orders <N ≥ 1> [--rate <orders per second>] [--settle-minutes <M>]",
  );
  process.exit(2);
}
const settleMinutes = Number(values["settle-minutes"] ?? Math.max(8, Math.ceil(orders / rate / 60) * 2));
const faults = process.env.FAULTS ?? SOAK_FAULTS;

console.log(`starting the system with FAULTS=${faults || "(none)"}`);
const system = await startSoakSystem(faults);
const stop = async () => {
  await system.stop();
  process.exit(130);
};
process.on("SIGINT", stop).on("SIGTERM", stop);
try {
  const started = Date.now();
  const report = await runSoak({
    baseUrl: system.baseUrl,
    orders,
    ratePerSecond: rate,
    paymentTimeoutSeconds: SOAK_PAYMENT_TIMEOUT_SECONDS,
    settleTimeoutMs: settleMinutes * 60_000,
    log: (line) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`),
  });
  const seen = system.sightings();
  const sightings = FAULT_SIGHTINGS.map((s) => [s, seen.get(s) ?? 0] as const);
  const width = Math.max(...report.figures.map(([k]) => k.length), ...sightings.map(([s]) => s.length));
  console.log(`\nsoak: ${orders} orders at ${rate}/s, FAULTS=${faults || "(none)"}`);
  for (const [k, v] of report.figures) console.log(`  ${k.padEnd(width)}  ${v}`);
  console.log("  faults seen in the logs:");
  for (const [s, n] of sightings) console.log(`  ${s.padEnd(width)}  ${n}`);
  if (report.problems.length > 0) {
    console.log(`\n${report.problems.length} problems:`);
    for (const p of report.problems) console.log(`  - ${p}`);
    process.exitCode = 1;
  } else console.log("\nevery order as its script says; money, loyalty, revenue and dead letters exact");
} finally {
  await system.stop();
}
