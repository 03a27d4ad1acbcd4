import type { KitchenTicket } from "../../durable-objects/kitchen-ticket";
import { consumeEvents } from "../../shared/consumer/harness";
import { ContextEntrypoint } from "../../shared/http/context-api";
import { kitchenApi } from "./staff-api";
import { kitchenSubscription } from "./subscriptions";

/**
 * The kitchen: a confirmed order becomes a ticket; staff start preparing it, report the pizza baked
 * and the quality checked (each step an event); a cancelled order's ticket is withdrawn.
 */
export { KitchenTicket } from "../../durable-objects/kitchen-ticket";

const tickets = (env: Env) => env.KITCHEN_TICKETS as DurableObjectNamespace<KitchenTicket>;

/** The staff API, reached through the gateway's service binding. */
export class KitchenApi extends ContextEntrypoint<Env> {
  protected readonly api = kitchenApi;
}

export default {
  queue: consumeEvents<keyof typeof kitchenSubscription.events, Env>({
    subscription: kitchenSubscription,
    deadLetters: (env) => env.DEAD_LETTERS,
    handlers: {
      "com.plantbasedpizza.order.confirmed.v1": (event, env) => tickets(env).getByName(event.data.orderId).openTicket(event),
      "com.plantbasedpizza.order.cancelled.v1": (event, env) => tickets(env).getByName(event.data.orderId).withdrawTicket(event),
    },
  }),
} satisfies ExportedHandler<Env>;
