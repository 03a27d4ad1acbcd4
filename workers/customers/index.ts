import { ContextEntrypoint } from "../../shared/http/context-api";
import { customersApi } from "./addresses-api";

/**
 * Customers: each customer's delivery addresses, announced as events for the contexts that need them.
 * It only publishes: it subscribes to nothing and has no queue consumer.
 */
export { Customer } from "../../durable-objects/customers/customer";

/** The customers' API, reached through the gateway's service binding. */
export class CustomersApi extends ContextEntrypoint<Env> {
  protected readonly api = customersApi;
}

export default {
  // No public route: the gateway calls CustomersApi, so anything reaching fetch is not for us.
  fetch: () =>
    Response.json(
      { error: "not_found", message: "The customers context has no public routes." },
      { status: 404 },
    ),
} satisfies ExportedHandler<Env>;
