import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * What only local life may do (fault injection, simulated staff, the /dev door to the bus) asks
 * shared/local-life.ts, which reads the build mode wrangler writes into the bundle. `npm test` builds
 * every worker as `wrangler deploy` would (`npm run build`, before the tests): in each of those bundles
 * the build mode must be "production", so no deploy can switch local life on.
 */
const dist = join(import.meta.dirname, "..", "..", "dist");
const bundles = existsSync(dist)
  ? readdirSync(dist)
      .filter((w) => existsSync(join(dist, w, "index.js")))
      .map((w) => [w, readFileSync(join(dist, w, "index.js"), "utf8")] as const)
  : [];
const BUILD_MODE = /function buildMode\(\) \{\s*try \{\s*return ([^;]*);/;

describe("a deploy build", () => {
  it("exists for every worker (npm run build)", () => {
    const workers = readdirSync(join(import.meta.dirname, "..", "..", "workers")).filter((w) =>
      existsSync(join(import.meta.dirname, "..", "..", "workers", w, "wrangler.toml")),
    );
    expect(bundles.map(([w]) => w).sort()).toEqual(expect.arrayContaining(["orders", ...workers]));
  });

  it.each(bundles.map(([w]) => w))("of %s has local life switched off", (worker) => {
    const source = bundles.find(([w]) => w === worker)![1];
    const mode = BUILD_MODE.exec(source);
    // A bundle without shared/local-life.ts (the dead-letters worker) has nothing local to switch on.
    if (!mode) expect(source).not.toContain("shared/local-life.ts");
    else expect(mode[1]).toBe('"production"');
  });

  it("asks in every worker that can inject faults or fake staff", () => {
    const asking = bundles.filter(([, source]) => BUILD_MODE.test(source)).map(([w]) => w);
    expect(asking).toEqual(expect.arrayContaining(["orders", "router", "payments", "kitchen", "customers"]));
  });
});
