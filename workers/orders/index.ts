import { api } from "./api";
import { ordersProjection } from "./projection";

/**
 * The orders worker (the root wrangler.toml): the public edge API, and the orders projection
 * consuming its own subscriber queue. It owns the Order Durable Object.
 */
export { Order } from "../../durable-objects/order";

export default {
  fetch: api.fetch,
  queue: ordersProjection,
} satisfies ExportedHandler<Env>;
