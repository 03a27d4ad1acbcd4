import type { AddressBook } from "../../durable-objects/address-book";
import type { Order } from "../../durable-objects/order";

/** Typed stubs of the orders context's Durable Objects. */
export function orderObject(env: { ORDERS: DurableObjectNamespace }, orderId: string): DurableObjectStub<Order> {
  return (env.ORDERS as DurableObjectNamespace<Order>).getByName(orderId);
}

export function addressBook(env: { ADDRESS_BOOKS: DurableObjectNamespace }, customerId: string): DurableObjectStub<AddressBook> {
  return (env.ADDRESS_BOOKS as DurableObjectNamespace<AddressBook>).getByName(customerId);
}
