import { z } from "zod";

/**
 * Identifiers every context shares. An order is known by the same id in every context (the orders
 * API mints it as a UUID), so each context keys its own Durable Object for the order by it, and every
 * API checks a path's order id with this one schema.
 */
export const OrderId = z.uuid();
export const CustomerId = z.string().min(1);
