import { simulatedStaffEventHandlers } from "../staff-simulator/event-handlers";
import { api } from "./api";
import { ordersEventHandlers } from "./event-handlers";

/**
 * The orders worker (the root wrangler.toml): the public edge API and gateway, and orders' event
 * handlers consuming its own subscriber queue. It owns the Order, AddressBook and CustomerOrders Durable Objects.
 * The simulated staff ride along (their own queue and Durable Object), so that `npm run dev` can
 * switch them on with --var, which reaches only this, the first worker.
 */
export { AddressBook } from "../../durable-objects/orders/address-book";
export { CustomerOrders } from "../../durable-objects/orders/customer-orders";
export { Order } from "../../durable-objects/orders/order";
export { SimulatedStaffShift } from "../../durable-objects/staff-simulator/simulated-staff-shift";

export default {
  fetch: api.fetch,
  async queue(batch, env, ctx) {
    if (batch.queue === "staff-simulator-inbox") return simulatedStaffEventHandlers(batch, env, ctx);
    return ordersEventHandlers(batch, env, ctx);
  },
} satisfies ExportedHandler<Env>;
