import { ContextEntrypoint } from "../../shared/http/context-api";
import { logEvent } from "../../shared/log";
import { showOnKitchenBoard } from "./board-api";
import { kitchenEventHandlers } from "./event-handlers";
import { kitchenApi } from "./staff-api";

/**
 * The kitchen: a confirmed order becomes a ticket; staff start preparing it, report the pizza baked
 * and the quality checked (each step an event); a cancelled order's ticket is withdrawn.
 */
export { KitchenTicket } from "../../durable-objects/kitchen/kitchen-ticket";
export { KitchenBoard } from "../../durable-objects/kitchen/kitchen-board";

/** The staff API, reached through the gateway's service binding. */
export class KitchenApi extends ContextEntrypoint<Env> {
  protected readonly api = kitchenApi;

  /**
   * Orders asks, when its customer cancels, whether the kitchen can still drop the order: withdrawn
   * unless a cook has started (KitchenTicket.withdrawBeforeStart). An RPC method, not a route: only
   * the orders worker's service binding reaches it.
   */
  async withdrawBeforeStart(
    orderId: string,
    reason: string,
    cause: { traceparent: string; causationid: string },
  ) {
    const outcome = await this.env.KITCHEN_TICKETS.getByName(orderId).withdrawBeforeStart(
      orderId,
      reason,
      cause,
    );
    // Off the board at once, best effort: the order cancelled event that follows tells it again (retried).
    if (outcome.ok)
      await showOnKitchenBoard(this.env, orderId).catch((error: unknown) =>
        logEvent({ at: "kitchen-board", outcome: "not-told", reason: String(error) }),
      );
    return outcome;
  }

  /** What the kitchen handled about the order (its ticket's inbox), for operators' order timeline. */
  handledAbout(orderId: string) {
    return this.env.KITCHEN_TICKETS.getByName(orderId).handledEvents();
  }
}

export default {
  queue: kitchenEventHandlers,
} satisfies ExportedHandler<Env>;
