import { ContextEntrypoint } from "../../shared/http/context-api";
import { loyaltyEventHandlers } from "./event-handlers";
import { loyaltyApi } from "./loyalty-api";

/** Loyalty: a completed order earns its customer points, once per order. */
export { LoyaltyAccount } from "../../durable-objects/loyalty/loyalty-account";

/** The customers' loyalty API, reached through the gateway's service binding. */
export class LoyaltyApi extends ContextEntrypoint<Env> {
  protected readonly api = loyaltyApi;
}

export default {
  queue: loyaltyEventHandlers,
} satisfies ExportedHandler<Env>;
