import { runWithStallGuard } from "./stall-guard";

/**
 * `npm test`'s last step: `vitest run` (arguments passed on), stopped and run once more if it goes silent
 * for 8 minutes (scripts/stall-guard.ts says why). The longest silence of a healthy run is one test file's
 * duration (the soak, about 3 minutes on 2 cores), so 8 minutes of nothing is a stall, not a slow file.
 */
process.exit(
  await runWithStallGuard("vitest", ["run", ...process.argv.slice(2)], { stallMs: 8 * 60_000, attempts: 2 }),
);
