import { consumeEvents } from "../../shared/consumer/harness";
import { ContextEntrypoint } from "../../shared/http/context-api";
import { deliveryApi } from "./drivers-api";
import { deliverySubscription } from "./subscriptions";

/**
 * Delivery: keeps its own copy of customers' addresses; an order ready for delivery becomes a
 * delivery to one of them; drivers take it, collect it and deliver it (each step an event).
 */
export { Delivery } from "../../durable-objects/delivery";
export { DeliveryAddresses } from "../../durable-objects/delivery-addresses";

/** The drivers' API, reached through the gateway's service binding. */
export class DeliveryApi extends ContextEntrypoint<Env> {
  protected readonly api = deliveryApi;
}

export default {
  queue: consumeEvents<keyof typeof deliverySubscription.events, Env>({
    subscription: deliverySubscription,
    deadLetters: (env) => env.DEAD_LETTERS,
    handlers: {
      "com.plantbasedpizza.customer.address-added.v1": (event, env) => env.DELIVERY_ADDRESSES.getByName(event.data.customerId).addAddress(event),
      "com.plantbasedpizza.order.ready-for-delivery.v1": async (event, env) => {
        const { orderId, customerId, deliveryAddressId } = event.data;
        const outcome = await env.DELIVERIES.getByName(orderId).openDelivery(event);
        // The address event may still be on its way (queues keep no order): failing makes the harness retry.
        if (outcome === "address-not-copied-yet") throw new Error(`address ${deliveryAddressId} of customer ${customerId} is not in delivery's copy yet`);
        return outcome;
      },
    },
  }),
} satisfies ExportedHandler<Env>;
