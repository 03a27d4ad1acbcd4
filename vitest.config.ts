import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { parse } from "smol-toml";
import { defineConfig } from "vitest/config";
import { auxiliaryWorker, type AuxiliaryWorker } from "./test/support/auxiliary-workers.ts";
import type { WorkerConfig } from "./test/support/wrangler-configs.ts";

/**
 * Three kinds of test, one `vitest run`:
 *  - workerd projects (one per worker, through @cloudflare/vitest-plugin): real Durable Objects,
 *    queues and storage from that worker's own wrangler.toml;
 *  - node: the event registry and envelope against the `cloudevents` SDK, and the wiring between
 *    subscriptions and wrangler configs;
 *  - e2e: boots every worker with `npm run dev` (test/support/dev-system.ts) and talks HTTP to it.
 */
/** Given/When/Then tests of the pure decide/evolve functions, beside their context's other tests. */
const PURE_RULES = "test/**/*-decider.test.ts";

const TEST_SECRETS = { JWT_SECRET: "test-only-secret-for-vitest-0123456789" };

/**
 * The orders worker binds the dead-letter office and DeprecatedReads (by script_name) and every
 * context's API (service bindings): its tests run those workers too, from their bundles (`npm test`
 * builds first). The dead-letter office also files what orders' event handlers dead-letter, so tests
 * can read it back.
 */
const ORDERS_AUXILIARY_WORKERS = [
  auxiliaryWorker("dead-letters", { queueConsumers: { "orders-inbox-dlq": { maxBatchTimeout: 0.05 } } }),
  ...["kitchen", "delivery", "collection", "customers", "loyalty", "analytics", "payments"].map((w) =>
    auxiliaryWorker(w),
  ),
  // It owns the archive replays the ops API starts; not consuming pizza-events (the tap does here).
  auxiliaryWorker("router", { r2Buckets: { EVENT_ARCHIVE: "pizza-event-archive" } }),
];

/**
 * A real worker consuming real queues that a project's worker sends to but nothing in that project
 * consumes (the bus, a dead-letter queue, the router's subscriber queues), recording what arrived so
 * tests can read it through the QUEUE_TAP service binding (test/support/queue-tap.ts).
 */
const queueTap = (queues: string[]): AuxiliaryWorker => ({
  name: "queue-tap",
  modules: true,
  scriptPath: "./test/support/queue-tap-worker.js",
  compatibilityDate: "2026-10-20",
  // Up to 100 at a time: with fewer waiting, a queue never hands the tap a batch while another is still
  // with it, so the tap records each queue's messages in the order the queue accepted them (tests prove
  // that something never arrived by a marker sent after it).
  queueConsumers: Object.fromEntries(queues.map((q) => [q, { maxBatchTimeout: 0.05, maxBatchSize: 100 }])),
});
const TAP = { QUEUE_TAP: "queue-tap" };

/**
 * A consumer that waits a full minute for its batch to fill: what is sent to its queue stays in the
 * queue's backlog meanwhile, which is how test/orders/back-pressure.test.ts sees a bus that is behind, and
 * ops-queues.test.ts a backlog, through the real queue metrics (a queue with no consumer at all reports no
 * backlog locally).
 */
const slowConsumer: AuxiliaryWorker = {
  name: "slow-consumer",
  modules: true,
  scriptPath: "./test/support/queue-tap-worker.js",
  compatibilityDate: "2026-10-20",
  queueConsumers: Object.fromEntries(
    ["backlogged-bus", "waiting-queue"].map((q) => [q, { maxBatchTimeout: 60, maxBatchSize: 100 }]),
  ),
};

const workerProject = (
  name: string,
  configPath: string,
  auxiliaryWorkers: AuxiliaryWorker[] = [],
  serviceBindings: Record<string, string> = {},
  queueProducers: Record<string, { queueName: string }> = {},
) => ({
  plugins: [
    cloudflareTest({
      wrangler: { configPath },
      remoteBindings: false,
      miniflare: { bindings: TEST_SECRETS, workers: auxiliaryWorkers, serviceBindings, queueProducers },
    }),
  ],
  // Pure business rules (a context's deciders) need no workerd: they run in the node project.
  test: { name, include: [`test/${name}/**/*.test.ts`], exclude: [PURE_RULES] },
});

/** Every worker but orders (root) and the router has its tests in test/<worker>/ with its own config. */
const otherWorkers = readdirSync("workers").filter(
  (w) => w !== "router" && existsSync(`workers/${w}/wrangler.toml`),
);

/**
 * Every consuming worker's harness counts the deprecated versions it handles in the dead-letters
 * worker's DeprecatedReads (a Durable Object binding by script_name), so the project of each worker that
 * binds it runs the dead-letters worker too (without queue consumers: those are the orders project's).
 */
const bindsDeadLettersWorker = (w: string) => {
  const config = parse(readFileSync(`workers/${w}/wrangler.toml`, "utf8")) as unknown as WorkerConfig;
  return (config.durable_objects?.bindings ?? []).some((b) => b.script_name === "pizza-dead-letters");
};

/** The queues a worker's wrangler.toml sends to. */
const producerQueues = (configPath: string) =>
  ((parse(readFileSync(configPath, "utf8")) as unknown as WorkerConfig).queues?.producers ?? []).map(
    (p) => p.queue,
  );

/**
 * Every shard of the bus (shared/bus/shards.ts): the queues the router consumes. Producers send each event
 * to one of them, by its subject, so a tap standing in for the router consumes them all.
 */
const BUS_SHARDS = (
  (parse(readFileSync("workers/router/wrangler.toml", "utf8")) as unknown as WorkerConfig).queues
    ?.consumers ?? []
).map((c) => c.queue);

/** The queues the dead-letters worker redrives to: all it sends to but its own last resort (it consumes it). */
const redriveQueues = (configPath: string) =>
  producerQueues(configPath).filter((q) => q !== "pizza-events" && q !== "dead-letters-dlq");

export default defineConfig({
  test: {
    // The JSON report lets .ci/run print a plain "N passed, N failed" line.
    reporters: ["default", ["json", { outputFile: "dist/test-results.json" }]],
    // Workers log a JSON line per event; show them only for failing tests.
    silent: "passed-only",
    projects: [
      // Its tests read what orders published on the bus (both versions of an event in a migration window),
      // and what the simulated staff, riding in this worker, dead-lettered.
      workerProject(
        "orders",
        "./wrangler.toml",
        // Orders sends its commands (take, void, refund payment) straight to payments-inbox: tapped too.
        [
          ...ORDERS_AUXILIARY_WORKERS,
          queueTap([...BUS_SHARDS, "payments-inbox", "staff-simulator-inbox-dlq"]),
          slowConsumer,
        ],
        TAP,
        // The slow consumer's queue: a bus that is behind, for back-pressure.test.ts.
        // And one for ops-queues.test.ts, apart so the two files cannot disturb each other's counts.
        { BACKLOGGED_BUS: { queueName: "backlogged-bus" }, WAITING_QUEUE: { queueName: "waiting-queue" } },
      ),
      workerProject(
        "router",
        "./workers/router/wrangler.toml",
        // Every queue it sends to: its tests see where each event went, and where it did not.
        [queueTap(producerQueues("workers/router/wrangler.toml"))],
        TAP,
      ),
      // Their tests read what they published on the bus and put on their dead-letter queue.
      ...otherWorkers.map((w) =>
        workerProject(
          w,
          `./workers/${w}/wrangler.toml`,
          [
            // The dead-letters worker redrives letters to the queues they failed in: its tap reads them.
            queueTap([
              ...BUS_SHARDS,
              `${w}-inbox-dlq`,
              ...(w === "dead-letters" ? redriveQueues("workers/dead-letters/wrangler.toml") : []),
            ]),
            ...(bindsDeadLettersWorker(w) ? [auxiliaryWorker("dead-letters")] : []),
          ],
          TAP,
        ),
      ),
      {
        test: {
          name: "node",
          environment: "node",
          include: [
            "test/shared/**/*.test.ts",
            "test/bus/**/*.test.ts",
            "test/docs/**/*.test.ts",
            "test/architecture/**/*.test.ts",
            "test/contract/**/*.test.ts",
            "test/scripts/**/*.test.ts",
            PURE_RULES,
          ],
        },
      },
      // Several workers in one local workerd, from their bundles (test/support/miniflare-system.ts).
      {
        test: {
          name: "replay",
          environment: "node",
          include: ["test/replay/**/*.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: "e2e",
          environment: "node",
          include: ["test/e2e/**/*.test.ts"],
          globalSetup: ["test/support/dev-system.ts"],
          testTimeout: 120_000,
          // The e2e files share one running system; one at a time keeps their revenue checks exact.
          fileParallelism: false,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
