import { startDevSystem, type DevSystem } from "../support/dev-system";

/**
 * The system the soak runs on: `npm run dev` exactly, with faults on and a payment deadline long enough
 * that an order slowed by the faults is still paid in time (paid-late cards answer after it).
 */
export const SOAK_FAULTS = "fail:0.2,duplicate:0.1,reorder,sendfail:0.05,restart:0.02";
export const SOAK_PAYMENT_TIMEOUT_SECONDS = 60;

export function startSoakSystem(faults: string = SOAK_FAULTS): Promise<DevSystem> {
  return startDevSystem(
    [
      "--var",
      `PAYMENT_TIMEOUT_SECONDS:${SOAK_PAYMENT_TIMEOUT_SECONDS}`,
      "--var",
      "SIMULATED_STAFF_STEP_SECONDS:1",
    ],
    { FAULTS: faults },
    FAULT_SIGHTINGS,
  );
}

/** Where the faults showed in the workers' logs: each consumer, the router, the outbox, a restart. */
export const FAULT_SIGHTINGS = [
  ...[
    "orders",
    "payments",
    "kitchen",
    "delivery",
    "collection",
    "loyalty",
    "analytics",
    "staff-simulator",
  ].map((subscriber) => `injected fault (FAULTS): ${subscriber}: `),
  " refused the send", // the router's forwarding
  "injected fault (FAULTS): the bus refused the outbox's send",
  "injected-restart",
];
