import type { LoyaltyAccount } from "../../durable-objects/loyalty-account";
import { consumeEvents } from "../../shared/consumer/harness";
import { ContextEntrypoint } from "../../shared/http/context-api";
import { loyaltyApi } from "./loyalty-api";
import { loyaltySubscription } from "./subscriptions";

/** Loyalty: a completed order earns its customer points, once per order. */
export { LoyaltyAccount } from "../../durable-objects/loyalty-account";

const accounts = (env: Env) => env.LOYALTY_ACCOUNTS as DurableObjectNamespace<LoyaltyAccount>;

/** The customers' loyalty API, reached through the gateway's service binding. */
export class LoyaltyApi extends ContextEntrypoint<Env> {
  protected readonly api = loyaltyApi;
}

export default {
  queue: consumeEvents<keyof typeof loyaltySubscription.events, Env>({
    subscription: loyaltySubscription,
    deadLetters: (env) => env.DEAD_LETTERS,
    handlers: {
      "com.plantbasedpizza.order.completed.v1": (event, env) => accounts(env).getByName(event.data.customerId).awardPoints(event),
    },
  }),
} satisfies ExportedHandler<Env>;
