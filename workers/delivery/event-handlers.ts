import { consumeEvents, contextOperations } from "../../shared/consumer/harness";
import { withEachEventOnBoard } from "./board-api";
import { deliverySubscription } from "./subscriptions";

/**
 * What delivery does when a customer adds an address (keeps its own copy) and when an order is ready
 * for delivery (opens a delivery to that address).
 */
export const deliveryEventHandlers = consumeEvents<keyof typeof deliverySubscription.events, Env>({
  subscription: deliverySubscription,
  ...contextOperations,
  handlers: {
    "com.plantbasedpizza.customer.address-added.v1": (event, env, delivery) =>
      env.DELIVERY_ADDRESSES.getByName(event.data.customerId).addAddress(event, delivery),
    "com.plantbasedpizza.order.ready-for-delivery.v1": async (event, env, delivery) => {
      const { orderId, customerId, deliveryAddressId } = event.data;
      const outcome = await withEachEventOnBoard(
        env,
        orderId,
        env.DELIVERIES.getByName(orderId).openDelivery(event, delivery),
      );
      // The address event may still be on its way (queues keep no order): failing makes the harness retry.
      if (outcome === "address-not-copied-yet")
        throw new Error(
          `address ${deliveryAddressId} of customer ${customerId} is not in delivery's copy yet`,
        );
      return outcome;
    },
  },
});
