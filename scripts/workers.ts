/**
 * The npm scripts that act on every worker: the root wrangler.toml (orders) and each
 * workers/<name>/wrangler.toml, found by listing the folder, so a new worker needs no change here.
 *
 *   types [--check]  `wrangler types`: the runtime types and each worker's Env (`--check`: fail if stale)
 *   typecheck        `tsc` on the root, the Node tests, each worker and the pages
 *   build            `wrangler deploy --dry-run` of every worker into dist/<name>
 *   deploy           `wrangler deploy` of every worker, orders (which binds them) last
 *   dev [flags…]     one `wrangler dev` with every config; the flags pass through; FAULTS in the
 *                    environment (`FAULTS=fail:0.2,duplicate:0.1,reorder npm run dev`) is checked and
 *                    reaches every worker (shared/faults.ts)
 *
 * Run as `node scripts/workers.ts <command>` (Node 22, which npm scripts get from the `node` devDependency).
 * The steps run one after another from the repository root and stop at the first failure.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { constants } from "node:os";
import { join } from "node:path";
import { describeFaults, parseFaults } from "../shared/faults.ts";

const root = join(import.meta.dirname, "..");

/** The workers/<name> folders that hold `file` (wrangler.toml, tsconfig.json), sorted by name. */
function workersWith(file: string): string[] {
  return readdirSync(join(root, "workers"))
    .filter((name) => existsSync(join(root, "workers", name, file)))
    .sort();
}

/**
 * Runs node_modules/.bin/<tool> with the terminal attached and resolves with its exit code (128 + n
 * when a signal n ended it). SIGINT and SIGTERM are passed on, so stopping this script (the e2e suite
 * sends SIGTERM to `npm run dev`'s process group) stops the tool too and leaves nothing running.
 */
function run(tool: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(join(root, "node_modules", ".bin", tool), args, { cwd: root, stdio: "inherit", env });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on("SIGINT", forward).on("SIGTERM", forward);
    const done = (code: number) => {
      process.off("SIGINT", forward).off("SIGTERM", forward);
      resolve(code);
    };
    child.on("error", (error) => {
      console.error(`could not start ${tool}: ${error.message}`);
      done(127);
    });
    child.on("exit", (code, signal) => done(code ?? 128 + (signal ? constants.signals[signal] : 0)));
  });
}

/** A command line: a tool from node_modules/.bin and its arguments. */
type Step = [tool: string, ...args: string[]];

/** Runs the steps in turn; at the first failure, names it and exits with its code. */
async function runSteps(command: string, steps: Step[]): Promise<void> {
  for (const [tool, ...args] of steps) {
    const step = [tool, ...args].join(" ");
    console.log(`> ${step}`);
    const code = await run(tool, args);
    if (code !== 0) {
      console.error(`\nworkers.ts ${command}: failed (exit ${code}): ${step}`);
      process.exit(code);
    }
  }
}

function usage(message: string): never {
  console.error(message);
  console.error("usage: node scripts/workers.ts types [--check] | typecheck | build | deploy | dev [flags…]");
  process.exit(2);
}

const [command, ...rest] = process.argv.slice(2);
if (command !== "dev" && command !== "types" && rest.length > 0) usage(`${command} takes no arguments`);

const workers = workersWith("wrangler.toml");
const config = (worker: string) => ["-c", `workers/${worker}/wrangler.toml`];
const wrangler = (...args: string[]): Step => ["wrangler", ...args];
const tsc = (...args: string[]): Step => ["tsc", ...args];

switch (command) {
  case "types": {
    if (rest.some((arg) => arg !== "--check")) usage("types takes only --check");
    const check = rest.length > 0 ? ["--check"] : [];
    const env = ["--include-runtime=false", "--strict-vars=false", ...check];
    await runSteps(command, [
      wrangler("types", "--include-env=false", ...check, "shared/types/workers-runtime.d.ts"),
      wrangler("types", ...env),
      ...workers.map((w) =>
        wrangler("types", ...config(w), ...env, `workers/${w}/worker-configuration.d.ts`),
      ),
    ]);
    break;
  }
  case "typecheck":
    await runSteps(command, [
      tsc("-p", "tsconfig.json"),
      tsc("-p", "test/tsconfig.json"),
      ...workersWith("tsconfig.json").map((w) => tsc("-p", `workers/${w}/tsconfig.json`)),
      // The pages (plain .js, checked from their JSDoc against the browser's types and the API's).
      tsc("-p", "workers/orders/pages/tsconfig.json"),
    ]);
    break;
  case "build":
    // The bundles a deploy would upload, so tests can check what a deploy build contains.
    process.env.NODE_ENV = "production";
    await runSteps(command, [
      wrangler("deploy", "--dry-run", "--outdir", "dist/orders"),
      ...workers.map((w) => wrangler("deploy", "--dry-run", ...config(w), "--outdir", join(root, "dist", w))),
    ]);
    break;
  case "deploy":
    // A deploy build: wrangler bundles with NODE_ENV=production unless the shell says otherwise, and
    // local-only parts (shared/local-life.ts) stay off only in a production build. Pinned, not inherited.
    process.env.NODE_ENV = "production";
    // The contexts first: orders (the root config) binds them.
    await runSteps(command, [...workers.map((w) => wrangler("deploy", ...config(w))), wrangler("deploy")]);
    break;
  case "dev": {
    const faultsText = process.env.FAULTS ?? "";
    let faults;
    try {
      faults = parseFaults(faultsText);
    } catch (error) {
      console.error((error as Error).message);
      process.exit(2);
    }
    if (faultsText.trim() !== "")
      console.log(`fault injection on in every worker: ${describeFaults(faults)}`);
    const ours = [
      "dev",
      "-c",
      "wrangler.toml",
      ...workers.flatMap(config),
      "--var",
      "SIMULATED_STAFF:on",
      // --var reaches only the first worker (orders); the others read FAULTS from this process's
      // environment, because their configs declare `secrets` (see workers/*/wrangler.toml).
      "--var",
      `FAULTS:${faultsText}`,
    ];
    // Flags given after ours (`npm run dev -- --var SIMULATED_STAFF:off`) win: wrangler takes the last one.
    // A development build, whatever NODE_ENV the shell has: local-only parts need it (shared/local-life.ts).
    process.exitCode = await run("wrangler", [...ours, ...rest], {
      ...process.env,
      NODE_ENV: "development",
      FAULTS: faultsText,
    });
    break;
  }
  default:
    usage(command ? `unknown command: ${command}` : "no command");
}
