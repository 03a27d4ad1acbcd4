import { describe, expect, it } from "vitest";
import { eventTypes } from "../../shared/events/registry";
import { BUILT_FOR_LOCAL_DEV } from "../../shared/local-life";
import { staffSimulatorSubscription } from "../../workers/staff-simulator/subscriptions";
import {
  LOCAL_DEV_ONLY,
  routedSubscriptions,
  routesFor,
  subscriptions,
} from "../../workers/router/routing-table";

/**
 * Simulated staff exist only in a local development build (shared/local-life.ts): a deploy's router
 * must not forward a copy of every confirmed and ready order to a queue nothing useful consumes. The
 * router asks the same build flag; test/router/router.test.ts sees a deploy-built router skip the queue
 * with real queues, and the e2e suite (`npm run dev`, a development build) sees simulated staff work.
 */
describe("routes for local development only", () => {
  it("are the simulated staff's", () => {
    expect([...LOCAL_DEV_ONLY]).toEqual([staffSimulatorSubscription]);
  });

  it("are left out of a deploy build's routes, and only those", () => {
    expect(routedSubscriptions(false)).toEqual(subscriptions.filter((s) => s !== staffSimulatorSubscription));
    for (const type of Object.keys(
      staffSimulatorSubscription.events,
    ) as (keyof typeof staffSimulatorSubscription.events)[]) {
      expect(routesFor(type, false), type).not.toContain(staffSimulatorSubscription);
      expect(routesFor(type, false).length, type).toBeGreaterThan(0);
    }
  });

  it("are routed in a local development build, like every other subscription", () => {
    expect(routedSubscriptions(true)).toEqual(subscriptions);
    expect(routesFor("com.plantbasedpizza.order.confirmed.v2", true)).toContain(staffSimulatorSubscription);
    for (const type of eventTypes)
      expect(routesFor(type, true), type).toEqual(subscriptions.filter((s) => Object.hasOwn(s.events, type)));
  });

  it("follow the build by default: these tests do not run a development build", () => {
    expect(BUILT_FOR_LOCAL_DEV).toBe(false);
    expect(routesFor("com.plantbasedpizza.order.confirmed.v2")).not.toContain(staffSimulatorSubscription);
  });
});
