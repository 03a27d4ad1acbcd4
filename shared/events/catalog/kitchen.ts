import { z } from "zod";
import { OrderId as orderId } from "./ids";

const ticketId = z.string().min(1);

/** A cook started preparing the order's ticket. */
export const PreparationStartedV1 = z.object({ orderId, ticketId, startedAt: z.iso.datetime() });
/** The order's pizzas came out of the oven. */
export const PizzaBakedV1 = z.object({ orderId, ticketId, bakedAt: z.iso.datetime() });
/**
 * The order's ticket was withdrawn before any cook started on it: nobody will cook it. The kitchen
 * decides this (it alone knows whether a cook has started), so orders cancels on it.
 */
export const TicketWithdrawnV1 = z.object({
  orderId,
  ticketId,
  reason: z.string().min(1),
  withdrawnAt: z.iso.datetime(),
});
/** The head chef checked the order's pizzas; it can leave the kitchen. */
export const QualityCheckedV1 = z.object({ orderId, ticketId, checkedAt: z.iso.datetime() });
