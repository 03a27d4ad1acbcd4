import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runWithStallGuard } from "../../scripts/stall-guard";

/**
 * The guard `npm test` runs vitest under (scripts/stall-guard.ts), on real processes: small node programs
 * that record each run (and the pids of what they started) in a file.
 */
const node = process.execPath;
const runsFile = () => join(mkdtempSync(join(tmpdir(), "stall-guard-")), "runs");
const runs = (file: string) => readFileSync(file, "utf8").trim().split("\n");
/** Running: a process that exists and is not a zombie (killed, waiting for a parent to reap it). */
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
};
const guard = { stallMs: 600, attempts: 2, say: () => {} };

describe("the stall guard", () => {
  it("answers a command's own exit code, running it once", async () => {
    const file = runsFile();
    const code = `require("fs").appendFileSync(${JSON.stringify(file)}, "run\\n"); console.log("working"); process.exit(3)`;
    expect(await runWithStallGuard(node, ["-e", code], guard)).toBe(3);
    expect(runs(file)).toEqual(["run"]);
  });

  it("lets a command that keeps writing run longer than the stall limit", async () => {
    const code = `let n = 0; const t = setInterval(() => { console.log(n); if (++n === 12) { clearInterval(t); process.exit(0); } }, 150)`;
    expect(await runWithStallGuard(node, ["-e", code], guard)).toBe(0);
  });

  it("stops a command gone silent, with what it started in a process group of its own, and runs it once more", async () => {
    const file = runsFile();
    // Like `npm run dev` under the e2e tests: a detached child in its own process group, then silence.
    const code = `
      const fs = require("fs");
      const child = require("child_process").spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"],
        { detached: true, stdio: "ignore" });
      child.unref();
      fs.appendFileSync(${JSON.stringify(file)}, process.pid + " " + child.pid + "\\n");
      console.log("started");
      setInterval(() => {}, 1000);`;
    const said: string[] = [];
    expect(await runWithStallGuard(node, ["-e", code], { ...guard, say: (l) => said.push(l) })).toBe(1);
    const pids = runs(file).flatMap((line) => line.split(" ").map(Number));
    expect(pids).toHaveLength(4); // two runs, each the command and its detached child
    expect(pids.filter(alive)).toEqual([]);
    expect(said).toEqual([
      expect.stringMatching(/wrote nothing for 1 s and was stopped \(attempt 1 of 2/),
      expect.stringMatching(/attempt 2 of 2/),
    ]);
  });
});
