import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/**
 * A command that may go silent for good, run with a guard: if it writes nothing (stdout or stderr) for
 * `stallMs`, it and everything it started are stopped and it is run again, at most `attempts` times in
 * all. Its exit code is the answer; a command that fails is never run again, only one that went silent.
 *
 * Why: `@cloudflare/vitest-pool-workers` can stop a run mid-suite after a workerd test file, with no
 * error and no further output, until something kills it (cloudflare/workers-sdk#15498, open). One run
 * in three did so on this machine; a second run passes. Without the guard, CI waits for its 90 minutes.
 */
export interface StallGuard {
  stallMs: number;
  attempts: number;
  /** Where the guard says what it did (the command's own output goes to this process's). */
  say?: (line: string) => void;
}

/** Every process (Linux) whose environment holds `marker`: the command's, detached ones included. */
function processesMarked(marker: string): number[] {
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((p) => /^\d+$/.test(p));
  } catch {
    return []; // not Linux: the command's own process group is all that is stopped
  }
  return pids.flatMap((pid) => {
    try {
      return readFileSync(`/proc/${pid}/environ`, "utf8").includes(marker) ? [Number(pid)] : [];
    } catch {
      return []; // gone, or not ours to read
    }
  });
}

function kill(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    /* already gone */
  }
}

/** One run: its exit code, or "stalled" once it has been silent for `stallMs` (and stopped). */
function runOnce(command: string, args: string[], stallMs: number): Promise<number | "stalled"> {
  // A marker in the environment every descendant inherits: `npm run dev` systems the tests start in
  // their own process groups are found by it, and stopped with the rest.
  const marker = `STALL_GUARD_RUN=${crypto.randomUUID()}`;
  const [key, value] = marker.split("=") as [string, string];
  const child = spawn(command, args, {
    env: { ...process.env, [key]: value },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  // Detached (so the whole group can be stopped), it does not get the terminal's Ctrl-C: pass it on.
  const stop = () => {
    kill(-child.pid!);
    for (const pid of processesMarked(marker)) kill(pid);
    process.exit(130);
  };
  process.once("SIGINT", stop).once("SIGTERM", stop);
  let last = Date.now();
  child.stdout!.on("data", (d: Buffer) => ((last = Date.now()), process.stdout.write(d)));
  child.stderr!.on("data", (d: Buffer) => ((last = Date.now()), process.stderr.write(d)));
  return new Promise((resolve) => {
    let stalled = false;
    const watch = setInterval(
      () => {
        if (Date.now() - last < stallMs) return;
        stalled = true;
        clearInterval(watch);
        kill(-child.pid!);
        for (const pid of processesMarked(marker)) kill(pid);
      },
      Math.min(10_000, Math.max(50, stallMs / 10)),
    );
    child.on("exit", (code, signal) => {
      clearInterval(watch);
      process.off("SIGINT", stop).off("SIGTERM", stop);
      // Whatever it left behind (a detached child the command did not stop) goes with it.
      for (const pid of processesMarked(marker)) kill(pid);
      resolve(stalled ? "stalled" : (code ?? (signal ? 1 : 0)));
    });
  });
}

export async function runWithStallGuard(
  command: string,
  args: string[],
  { stallMs, attempts, say = (line) => console.error(line) }: StallGuard,
): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const outcome = await runOnce(command, args, stallMs);
    if (outcome !== "stalled") return outcome;
    say(
      `[stall-guard] ${command} ${args.join(" ")} wrote nothing for ${Math.round(stallMs / 1000)} s and was stopped ` +
        `(attempt ${attempt} of ${attempts}; cloudflare/workers-sdk#15498)`,
    );
    if (attempt >= attempts) return 1;
  }
}
