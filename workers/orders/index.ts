import { staffSimulator } from "../staff-simulator";
import { api } from "./api";
import { ordersProjection } from "./projection";

/**
 * The orders worker (the root wrangler.toml): the public edge API and gateway, and the orders
 * projection consuming its own subscriber queue. It owns the Order and AddressBook Durable Objects.
 * The simulated staff ride along (their own queue and Durable Object), so that `npm run dev` can
 * switch them on with --var, which reaches only this, the first worker.
 */
export { AddressBook } from "../../durable-objects/address-book";
export { Order } from "../../durable-objects/order";
export { SimulatedStaffShift } from "../../durable-objects/simulated-staff-shift";

export default {
  fetch: api.fetch,
  async queue(batch, env, ctx) {
    if (batch.queue === "staff-simulator-inbox") return staffSimulator(batch, env, ctx);
    return ordersProjection(batch, env, ctx);
  },
} satisfies ExportedHandler<Env>;
