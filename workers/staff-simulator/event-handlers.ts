import type { StaffCommand } from "../../durable-objects/staff-simulator/simulated-staff-shift";
import { consumeEvents, contextOperations } from "../../shared/consumer/harness";
import type { PizzaEvent } from "../../shared/events/envelope";
import { BUILT_FOR_LOCAL_DEV } from "../../shared/local-life";
import { logEvent } from "../../shared/log";
import { staffSimulatorSubscription } from "./subscriptions";

/**
 * Local life without staff: when SIMULATED_STAFF is "on" (as `npm run dev` sets it), simulated
 * cooks, drivers and counter staff move every order along after short pauses, so an order placed
 * locally runs to completed with nobody at the keyboard. They send the same staff commands real staff
 * do, so everything downstream is the real thing. Runs in the orders worker (see wrangler.toml).
 * Only in a build made by `wrangler dev`: a deploy cannot turn fake staff on (shared/local-life.ts).
 */
const shift = (env: Env, orderId: string) => env.SIMULATED_STAFF_SHIFTS.getByName(orderId);

const staffFor =
  (commands: (orderId: string) => StaffCommand[]) =>
  async (event: PizzaEvent & { data: { orderId: string } }, env: Env) => {
    if (env.SIMULATED_STAFF !== "on" || !BUILT_FOR_LOCAL_DEV) {
      logEvent({ at: "simulated-staff", outcome: "off", type: event.type, id: event.id });
      return "processed" as const;
    }
    return shift(env, event.data.orderId).plan(event, commands(event.data.orderId));
  };

export const simulatedStaffEventHandlers = consumeEvents<keyof typeof staffSimulatorSubscription.events, Env>(
  {
    subscription: staffSimulatorSubscription,
    deadLetters: (env) => env.STAFF_SIMULATOR_DEAD_LETTERS,
    deprecatedReads: contextOperations.deprecatedReads,
    handlers: {
      "com.plantbasedpizza.order.confirmed.v2": staffFor((id) => [
        { path: `/kitchen/tickets/${id}/start-preparing` },
        { path: `/kitchen/tickets/${id}/pizza-baked` },
        { path: `/kitchen/tickets/${id}/quality-checked` },
      ]),
      "com.plantbasedpizza.order.ready-for-delivery.v1": staffFor((id) => [
        { path: `/delivery/orders/${id}/driver`, body: { driverId: "simulated-driver" } },
        { path: `/delivery/orders/${id}/collected-by-driver` },
        { path: `/delivery/orders/${id}/delivered` },
      ]),
      "com.plantbasedpizza.order.ready-for-collection.v1": staffFor((id) => [
        { path: `/collection/orders/${id}/collected` },
      ]),
    },
  },
);
