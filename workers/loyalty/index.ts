import { ContextEntrypoint } from "../../shared/http/context-api";
import { loyaltyEventHandlers } from "./event-handlers";
import { loyaltyApi } from "./loyalty-api";

/** Loyalty: a completed order earns its customer points, once per order. */
export { LoyaltyAccount } from "../../durable-objects/loyalty/loyalty-account";

/** The customers' loyalty API, reached through the gateway's service binding. */
export class LoyaltyApi extends ContextEntrypoint<Env> {
  protected readonly api = loyaltyApi;

  /**
   * What loyalty handled about the order, for operators' order timeline: the events about it in its
   * customer's account (one account per customer, so orders, which knows the customer, names it).
   */
  handledAbout(orderId: string, customerId: string) {
    return this.env.LOYALTY_ACCOUNTS.getByName(customerId).handledEvents({ subject: orderId });
  }
}

export default {
  queue: loyaltyEventHandlers,
} satisfies ExportedHandler<Env>;
