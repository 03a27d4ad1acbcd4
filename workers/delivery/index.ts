import { ContextEntrypoint } from "../../shared/http/context-api";
import { deliveryApi } from "./drivers-api";
import { deliveryEventHandlers } from "./event-handlers";

/**
 * Delivery: keeps its own copy of customers' addresses; an order ready for delivery becomes a
 * delivery to one of them; drivers take it, collect it and deliver it (each step an event).
 */
export { Delivery } from "../../durable-objects/delivery/delivery";
export { DeliveryAddresses } from "../../durable-objects/delivery/delivery-addresses";
export { DeliveryBoard } from "../../durable-objects/delivery/delivery-board";

/** The drivers' API, reached through the gateway's service binding. */
export class DeliveryApi extends ContextEntrypoint<Env> {
  protected readonly api = deliveryApi;

  /** What delivery handled about the order (its delivery's inbox), for operators' order timeline. */
  handledAbout(orderId: string) {
    return this.env.DELIVERIES.getByName(orderId).handledEvents();
  }
}

export default {
  queue: deliveryEventHandlers,
} satisfies ExportedHandler<Env>;
