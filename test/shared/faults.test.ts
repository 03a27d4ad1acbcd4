import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import {
  copiesOf,
  deliveryDelaySeconds,
  describeFaults,
  faultsIn,
  handlerFailure,
  NO_FAULTS,
  parseFaults,
} from "../../shared/faults";

/** A fixed sequence of "random" numbers, so each decision is known. */
const randoms = (...values: number[]) => {
  let i = 0;
  return () => values[i++ % values.length]!;
};

describe("FAULTS", () => {
  it("reads the form npm run dev takes, every part optional", () => {
    expect(parseFaults("fail:0.2,duplicate:0.1,reorder")).toEqual({
      ...NO_FAULTS,
      fail: 0.2,
      duplicate: 0.1,
      reorderSeconds: 3,
    });
    expect(parseFaults(" reorder:5 , delay:2,sendfail:0.05,restart:0.01 ")).toEqual({
      ...NO_FAULTS,
      reorderSeconds: 5,
      delaySeconds: 2,
      sendFail: 0.05,
      restart: 0.01,
    });
    expect(parseFaults("")).toEqual(NO_FAULTS);
    expect(describeFaults(parseFaults("fail:0.2,reorder"))).toBe("fail:0.2,reorder:3");
  });

  it.each([
    ["explode:1", 'unknown part "explode"'],
    ["fail", '"fail" needs a value'],
    ["fail:1.5", "fail is a rate from 0 to 1"],
    ["fail:", "fail is a rate from 0 to 1"],
    ["duplicate:-0.1", "duplicate is a rate from 0 to 1"],
    ["delay:3600", "delay is seconds from 0 to 60"],
    ["fail:0.1:2", "has more than one value"],
  ])("refuses %s, saying why", (text, reason) => {
    expect(() => parseFaults(text)).toThrow(reason);
  });

  it("is off in any build not made by wrangler dev, whatever FAULTS says", () => {
    expect(faultsIn({ FAULTS: "fail:1,restart:1" }, false)).toEqual(NO_FAULTS);
    expect(faultsIn({ FAULTS: "fail:1,restart:1" })).toEqual(NO_FAULTS); // Node: nobody replaced NODE_ENV
    expect(faultsIn({ FAULTS: "fail:1,restart:1" }, true)).toMatchObject({ fail: 1, restart: 1 });
    expect(faultsIn({ FAULTS: "" }, true)).toEqual(NO_FAULTS);
  });

  it("fails a handling before or after the effect, at its rate", () => {
    const f = parseFaults("fail:0.2");
    expect(handlerFailure(f, randoms(0.1, 0.3))).toBe("before");
    expect(handlerFailure(f, randoms(0.1, 0.7))).toBe("after");
    expect(handlerFailure(f, randoms(0.2))).toBeUndefined();
    expect(handlerFailure(NO_FAULTS, randoms(0))).toBeUndefined();
  });

  it("doubles a delivery at its rate, and holds deliveries back within the reorder window", () => {
    const f = parseFaults("duplicate:0.1,reorder:3,delay:2");
    expect(copiesOf(f, randoms(0.05))).toBe(2);
    expect(copiesOf(f, randoms(0.1))).toBe(1);
    expect(deliveryDelaySeconds(f, randoms(0))).toBe(2);
    expect(deliveryDelaySeconds(f, randoms(0.999))).toBe(5);
    expect(deliveryDelaySeconds(NO_FAULTS, randoms(0.999))).toBe(0);
  });

  it("stops npm run dev before it boots when FAULTS cannot be read", () => {
    const run = spawnSync(process.execPath, ["scripts/workers.ts", "dev"], {
      env: { ...process.env, FAULTS: "fail:0.2,explode" },
      encoding: "utf8",
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('FAULTS: unknown part "explode"');
  });
});
