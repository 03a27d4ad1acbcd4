import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevSystem } from "../support/dev-system";
import { runSoak } from "../soak/soak";
import {
  FAULT_SIGHTINGS,
  SOAK_FAULTS,
  SOAK_PAYMENT_TIMEOUT_SECONDS,
  startSoakSystem,
} from "../soak/soak-system";

/**
 * Nothing lost, nothing doubled, no customer charged wrongly: 300 orders through the whole lifecycle
 * on a system of its own, started as `FAULTS=… npm run dev` starts it (test/soak/soak-system.ts): a
 * fifth of all handlings fail, a tenth of deliveries come twice, every delivery is held back a random
 * few seconds, some sends are refused and some objects restart mid-flow. Afterwards everything must
 * reconcile exactly (test/soak/soak.ts says what is checked).
 */
let system: DevSystem;
beforeAll(async () => {
  system = await startSoakSystem();
}, 180_000);
afterAll(() => system?.stop());

describe(`the soak (FAULTS=${SOAK_FAULTS})`, () => {
  it(
    "300 orders end as their scripts say: money, loyalty and revenue exact, each effect once, only the poisoned events dead-lettered",
    async () => {
      const report = await runSoak({
        baseUrl: system.baseUrl,
        orders: 300,
        ratePerSecond: 4,
        paymentTimeoutSeconds: SOAK_PAYMENT_TIMEOUT_SECONDS,
        settleTimeoutMs: 8 * 60_000,
        log: (line) => console.log(`soak: ${line}`),
      });
      console.log(report.figures.map(([k, v]) => `${k}: ${v}`).join("\n"));
      expect(report.problems).toEqual([]);

      // The faults really happened, in every consumer, the router and the outbox: a clean run proves
      // nothing if FAULTS never reached a worker.
      const sightings = system.sightings();
      const unseen = FAULT_SIGHTINGS.filter((sighting) => !sightings.get(sighting));
      expect(unseen).toEqual([]);
    },
    20 * 60_000,
  );
});
