import type { Order } from "../../durable-objects/order";

/** The Durable Object of one order, addressed by its id (typed RPC stub). */
export function orderObject(env: { ORDERS: DurableObjectNamespace }, orderId: string): DurableObjectStub<Order> {
  return (env.ORDERS as DurableObjectNamespace<Order>).getByName(orderId);
}
