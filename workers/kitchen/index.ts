import type { KitchenTicket } from "../../durable-objects/kitchen-ticket";
import { consumeEvents } from "../../shared/consumer/harness";
import { kitchenSubscription } from "./subscriptions";

/**
 * The kitchen: a confirmed order becomes a ticket, and the kitchen tells the business it has started
 * preparing it.
 */
export { KitchenTicket } from "../../durable-objects/kitchen-ticket";

const tickets = (env: Env) => env.KITCHEN_TICKETS as DurableObjectNamespace<KitchenTicket>;

export default {
  queue: consumeEvents<keyof typeof kitchenSubscription.events, Env>({
    subscription: kitchenSubscription,
    deadLetters: (env) => env.DEAD_LETTERS,
    handlers: {
      "com.plantbasedpizza.order.confirmed.v1": (event, env) => tickets(env).getByName(event.data.orderId).openTicket(event),
    },
  }),
} satisfies ExportedHandler<Env>;
