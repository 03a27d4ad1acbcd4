import { publishedVersions, type AnyPizzaEvent, type PizzaEvent } from "../events/envelope";
import type { ClaimSettings } from "../events/claim-check";
import { faultsIn, happens, type FaultSettings } from "../faults";
import { logEvent } from "../log";
import { InboxObject } from "./inbox-object";
import { Outbox } from "./outbox";

/**
 * Base for a Durable Object that owns one business thing (an order, a kitchen ticket) and tells the
 * rest of the business what happened to it. It gives the subclass:
 *  - `inbox`: apply each inbound event once;
 *  - `record(change, events)`: a state change and its events, committed in one transaction
 *    (transactional outbox), then published straight away;
 *  - publishing that survives crashes: the object's single alarm is the outbox drainer, retried with
 *    exponential backoff until the queues accept every row (events go to the bus, sharded by subject;
 *    commands straight to their recipient's queue: shared/bus/destination.ts).
 * Subclasses that need their own timers override `onAlarm` and call `wakeAt`.
 */
export interface BusEnv extends FaultSettings, ClaimSettings {
  /**
   * The bus's shard 0. The outbox finds the other shards (PIZZA_EVENTS_1, ...) and a command's
   * recipient's queue (PAYMENTS_INBOX, ...) among the env's bindings by name (shared/bus/destination.ts).
   */
  PIZZA_EVENTS: Queue;
}

/** The safety net: if the immediate publish dies with the object, the alarm publishes this much later. */
const PUBLISH_SAFETY_NET_MS = 5_000;
const MAX_PUBLISH_BACKOFF_MS = 5 * 60_000;

export abstract class PublishingObject<E extends BusEnv> extends InboxObject<E> {
  private readonly outbox: Outbox;
  private publishing: Promise<void> | undefined;
  /**
   * When this instance last armed the alarm for, until it fires. Undefined when unknown (a new
   * instance) or fired: then the next write arms it again, so knowing less only costs a row.
   */
  private alarmAt: number | undefined;

  constructor(ctx: DurableObjectState, env: E) {
    super(ctx, env);
    this.outbox = new Outbox(ctx.storage);
  }

  /**
   * Commits `change` and `events` atomically, arms the alarm as a safety net in the same write batch,
   * and starts publishing. Returns what `change` returned.
   */
  protected record<R>(change: () => R, events: () => PizzaEvent[]): R {
    const result = this.ctx.storage.transactionSync(() => {
      const r = change();
      // Each event with the older versions still published beside it (a migration window).
      this.outbox.add(events().flatMap((e) => publishedVersions(e as AnyPizzaEvent)));
      return r;
    });
    // No await since the transaction: the alarm lands in the same atomic write batch, so a crash can
    // never leave outbox rows without an alarm to publish them. An alarm already armed to fire within
    // the safety net's delay covers these rows too, and each setAlarm is billed as a row written: it
    // is armed again only when it is not. (Arming may move a later alarm earlier, never later.)
    const safetyNet = Date.now() + PUBLISH_SAFETY_NET_MS;
    if (!this.alarmCovers(safetyNet)) {
      void this.ctx.storage.setAlarm(safetyNet);
      this.alarmAt = safetyNet;
    }
    if (happens(faultsIn(this.env).restart)) this.ctx.waitUntil(this.restartBeforePublishing());
    else this.ctx.waitUntil(this.publishOutbox());
    return result;
  }

  /**
   * `FAULTS=restart:<rate>` (local runs only): the object dies once the change is durable and before
   * its events are sent, the crash the outbox exists for. Requests in flight fail and are retried by
   * their callers; the alarm publishes the rows.
   */
  private async restartBeforePublishing(): Promise<void> {
    await this.ctx.storage.sync();
    logEvent({ at: "outbox", outcome: "injected-restart", object: this.constructor.name });
    this.ctx.abort("injected fault (FAULTS): the object restarted before publishing");
  }

  /** Outbox rows not yet accepted by the bus (for ops and tests). */
  unpublishedEvents(): number {
    return this.outbox.pending();
  }

  /** Events the bus can never take, set aside so they block nothing (for ops and tests). */
  quarantinedEvents() {
    return this.outbox.quarantined();
  }

  /** Publishes waiting events; one drain at a time per object (a second caller joins the first). */
  protected publishOutbox(): Promise<void> {
    this.publishing ??= (async () => {
      try {
        await this.outbox.publish(this.env, faultsIn(this.env), this.env.EVENT_CLAIMS);
      } catch (error) {
        const attempts = this.outbox.attempts();
        const backoff = Math.min(MAX_PUBLISH_BACKOFF_MS, 1000 * 2 ** attempts);
        logEvent({
          at: "outbox",
          outcome: "publish-failed",
          attempts,
          retryInMs: backoff,
          reason: String(error),
        });
        await this.wakeAt(Date.now() + backoff);
      } finally {
        this.publishing = undefined;
      }
    })();
    return this.publishing;
  }

  /** Whether an alarm this instance armed is still to fire, no later than `by`. */
  private alarmCovers(by: number): boolean {
    return this.alarmAt !== undefined && this.alarmAt > Date.now() && this.alarmAt <= by;
  }

  /** Sets the alarm to `at` unless it is already due earlier. */
  protected async wakeAt(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) {
      await this.ctx.storage.setAlarm(at);
      this.alarmAt = at;
    } else this.alarmAt = current;
  }

  /** Subclasses' own timers; return the next time they need waking, if any. */
  protected onAlarm(): number | undefined | Promise<number | undefined> {
    return undefined;
  }

  override async alarm(): Promise<void> {
    this.alarmAt = undefined; // this is it firing: the next write must arm it again
    await this.publishOutbox();
    const next = await this.onAlarm();
    if (next !== undefined) await this.wakeAt(next);
  }
}
