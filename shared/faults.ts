// With the extension: scripts/workers.ts (plain Node) imports this file to check FAULTS before booting.
import { BUILT_FOR_LOCAL_DEV } from "./local-life.ts";

/**
 * Fault injection for local runs and tests: the failures production will have (a consumer failing, a
 * queue delivering twice, late or out of order, a send refused, an object restarting mid-flow), made
 * frequent, so that `npm run dev` and the soak test show the system rides them out.
 *
 * Given in the environment of `npm run dev`, every part optional:
 *
 *   FAULTS=fail:0.2,duplicate:0.1,reorder npm run dev
 *
 *   fail:<rate>        a consumer's handler fails: half before it applies the event, half after (the
 *                      effect committed, the ack lost), so the event is delivered again
 *   duplicate:<rate>   a delivery is doubled: the router forwards a second copy, an outbox sends twice
 *   reorder[:<s>]      the router holds each forwarded copy back a random 0..s seconds (default 3), so
 *                      one order's events reach a subscriber in any order
 *   delay:<s>          the router holds every forwarded copy back s seconds more
 *   sendfail:<rate>    a queue send is refused: the outbox's drain and the router's forwarding
 *   restart:<rate>     an object restarts right after it committed a change, before it published it
 *
 * A rate is a probability per occasion, 0 to 1. `scripts/workers.ts dev` checks the text before booting.
 * Nothing here can be switched on in a deploy: `faultsIn` answers "none" unless the code was built by
 * `wrangler dev` (shared/local-life.ts), whatever the worker's vars say.
 */
export interface Faults {
  fail: number;
  duplicate: number;
  reorderSeconds: number;
  delaySeconds: number;
  sendFail: number;
  restart: number;
}

export const NO_FAULTS: Faults = Object.freeze({
  fail: 0,
  duplicate: 0,
  reorderSeconds: 0,
  delaySeconds: 0,
  sendFail: 0,
  restart: 0,
});

const DEFAULT_REORDER_SECONDS = 3;
/** Queues accept a delay up to 12 h; a local run needs far less, and a typo should not park events. */
const MAX_DELAY_SECONDS = 60;

type Part = { field: keyof Faults; kind: "rate" | "seconds"; default?: number };
const PARTS: Record<string, Part> = {
  fail: { field: "fail", kind: "rate" },
  duplicate: { field: "duplicate", kind: "rate" },
  reorder: { field: "reorderSeconds", kind: "seconds", default: DEFAULT_REORDER_SECONDS },
  delay: { field: "delaySeconds", kind: "seconds" },
  sendfail: { field: "sendFail", kind: "rate" },
  restart: { field: "restart", kind: "rate" },
};

export const FAULT_PARTS = Object.keys(PARTS);

/** Reads the FAULTS text; throws with the part and the reason when it cannot. "" means no faults. */
export function parseFaults(text: string): Faults {
  const faults: Faults = { ...NO_FAULTS };
  for (const raw of text.split(",")) {
    const part = raw.trim();
    if (part === "") continue;
    const [name = "", value, ...extra] = part.split(":");
    const spec = PARTS[name];
    if (!spec) throw new Error(`FAULTS: unknown part "${name}"; the parts are ${FAULT_PARTS.join(", ")}`);
    if (extra.length > 0) throw new Error(`FAULTS: "${part}" has more than one value`);
    if (value === undefined) {
      if (spec.default === undefined) throw new Error(`FAULTS: "${name}" needs a value, e.g. ${name}:0.1`);
      faults[spec.field] = spec.default;
      continue;
    }
    const n = Number(value);
    const valid =
      value.trim() !== "" &&
      Number.isFinite(n) &&
      (spec.kind === "rate" ? n >= 0 && n <= 1 : n >= 0 && n <= MAX_DELAY_SECONDS);
    if (!valid)
      throw new Error(
        `FAULTS: "${part}": ${name} is ${spec.kind === "rate" ? "a rate from 0 to 1" : `seconds from 0 to ${MAX_DELAY_SECONDS}`}`,
      );
    faults[spec.field] = n;
  }
  return faults;
}

/** The one-line form of a plan, as FAULTS would give it (for logs and the soak's report). */
export function describeFaults(f: Faults): string {
  const parts = [
    f.fail && `fail:${f.fail}`,
    f.duplicate && `duplicate:${f.duplicate}`,
    f.reorderSeconds && `reorder:${f.reorderSeconds}`,
    f.delaySeconds && `delay:${f.delaySeconds}`,
    f.sendFail && `sendfail:${f.sendFail}`,
    f.restart && `restart:${f.restart}`,
  ].filter(Boolean);
  return parts.length ? parts.join(",") : "none";
}

/** Where a worker reads its plan: the FAULTS var, which `npm run dev` fills from its environment. */
export interface FaultSettings {
  FAULTS?: string;
}

const parsed = new Map<string, Faults>();

/**
 * The plan this worker runs under: none in a deploy build, none when FAULTS is empty. A FAULTS the
 * workers cannot read (scripts/workers.ts checks it first) is a mistake worth stopping for: it throws.
 */
export function faultsIn(env: FaultSettings, builtForLocalDev = BUILT_FOR_LOCAL_DEV): Faults {
  const text = env.FAULTS ?? "";
  if (!builtForLocalDev || text.trim() === "") return NO_FAULTS;
  let faults = parsed.get(text);
  if (!faults) {
    faults = parseFaults(text);
    parsed.set(text, faults);
  }
  return faults;
}

/** An injected failure: its message says so, so logs and dead letters never mistake it for a real one. */
export class InjectedFault extends Error {
  constructor(what: string) {
    super(`injected fault (FAULTS): ${what}`);
    this.name = "InjectedFault";
  }
}

/** Whether a fault with this rate happens this time. */
export const happens = (rate: number, random: () => number = Math.random): boolean =>
  rate > 0 && random() < rate;

/** For `fail`: whether this handling fails, and whether before or after the effect is applied. */
export function handlerFailure(
  f: Faults,
  random: () => number = Math.random,
): "before" | "after" | undefined {
  if (!happens(f.fail, random)) return undefined;
  return random() < 0.5 ? "before" : "after";
}

/** For `reorder` and `delay`: how long the router holds one forwarded copy back, in whole seconds. */
export function deliveryDelaySeconds(f: Faults, random: () => number = Math.random): number {
  const jitter = f.reorderSeconds > 0 ? Math.floor(random() * (f.reorderSeconds + 1)) : 0;
  return Math.round(f.delaySeconds) + jitter;
}

/** For `duplicate`: how many copies of one delivery to send. */
export const copiesOf = (f: Faults, random: () => number = Math.random): 1 | 2 =>
  happens(f.duplicate, random) ? 2 : 1;
