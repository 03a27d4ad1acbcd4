import type { Principal } from "../../shared/auth/token";
import type { HandlerOutcome } from "../../shared/consumer/harness";
import type { PizzaEvent } from "../../shared/events/envelope";
import { InboxObject } from "../../shared/durable/inbox-object";
import { contextApiService } from "../../shared/http/context-api";
import { logEvent } from "../../shared/log";

/**
 * Simulated staff working one order (local life without staff): a queue of the staff commands a cook,
 * a driver or the counter would send, sent one at a time with a short pause between them, through the
 * same context APIs (and so the same commands and events) real staff use. A 404 means the context has
 * not heard of the order yet (its event is still on the way): try again shortly. A 409 means the order
 * went another way (cancelled): stop.
 */
export interface StaffCommand {
  path: string;
  body?: Record<string, string>;
}

const STAFF: Principal = { id: "simulated-staff", role: "staff" };
const MAX_ATTEMPTS = 20;

export class SimulatedStaffShift extends InboxObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS commands (
      seq INTEGER PRIMARY KEY, path TEXT NOT NULL, body TEXT, traceparent TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0)`);
  }

  private get pause(): number {
    return Number(this.env.SIMULATED_STAFF_STEP_SECONDS) * 1000;
  }

  /** Plans the staff commands an event calls for, once per event. */
  plan(event: PizzaEvent, commands: StaffCommand[]): HandlerOutcome {
    const outcome = this.inbox.once(event, () => {
      for (const c of commands) {
        this.sql.exec(
          "INSERT INTO commands (path, body, traceparent) VALUES (?, ?, ?)",
          c.path,
          c.body ? JSON.stringify(c.body) : null,
          event.traceparent,
        );
      }
    });
    if (outcome === "processed") void this.ctx.storage.setAlarm(Date.now() + this.pause);
    return outcome;
  }

  override async alarm(): Promise<void> {
    const next = this.ctx.storage.sql
      .exec<{ seq: number; path: string; body: string | null; traceparent: string; attempts: number }>(
        "SELECT * FROM commands ORDER BY seq LIMIT 1",
      )
      .toArray()[0];
    if (!next) return;
    const status = await this.send(next).catch(() => 503);
    if (status === 202) {
      this.sql.exec("DELETE FROM commands WHERE seq = ?", next.seq);
    } else if (status === 409 || next.attempts + 1 >= MAX_ATTEMPTS) {
      logEvent({
        at: "simulated-staff",
        outcome: "gave-up",
        path: next.path,
        status,
        attempts: next.attempts + 1,
      });
      this.sql.exec("DELETE FROM commands");
      return;
    } else {
      this.sql.exec("UPDATE commands SET attempts = attempts + 1 WHERE seq = ?", next.seq);
    }
    const remaining = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM commands").one().n;
    if (remaining > 0) await this.ctx.storage.setAlarm(Date.now() + this.pause);
  }

  private async send(command: { path: string; body: string | null; traceparent: string }): Promise<number> {
    const context = command.path.split("/")[1] as "kitchen" | "delivery" | "collection";
    const api = contextApiService(
      { kitchen: this.env.KITCHEN, delivery: this.env.DELIVERY, collection: this.env.COLLECTION }[context],
    );
    const headers: Record<string, string> = { traceparent: command.traceparent };
    if (command.body) headers["Content-Type"] = "application/json";
    const res = await api.handle(
      new Request(`https://staff.internal${command.path}`, { method: "POST", headers, body: command.body }),
      STAFF,
    );
    logEvent({ at: "simulated-staff", outcome: String(res.status), path: command.path });
    return res.status;
  }

  /** Commands still to send (for tests and curious operators). */
  pending(): StaffCommand[] {
    return this.ctx.storage.sql
      .exec<{ path: string; body: string | null }>("SELECT path, body FROM commands ORDER BY seq")
      .toArray()
      .map((r) => ({
        path: r.path,
        ...(r.body ? { body: JSON.parse(r.body) as Record<string, string> } : {}),
      }));
  }
}
