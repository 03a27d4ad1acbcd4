import { ContextEntrypoint } from "../../shared/http/context-api";
import { kitchenEventHandlers } from "./event-handlers";
import { kitchenApi } from "./staff-api";

/**
 * The kitchen: a confirmed order becomes a ticket; staff start preparing it, report the pizza baked
 * and the quality checked (each step an event); a cancelled order's ticket is withdrawn.
 */
export { KitchenTicket } from "../../durable-objects/kitchen/kitchen-ticket";

/** The staff API, reached through the gateway's service binding. */
export class KitchenApi extends ContextEntrypoint<Env> {
  protected readonly api = kitchenApi;
}

export default {
  queue: kitchenEventHandlers,
} satisfies ExportedHandler<Env>;
