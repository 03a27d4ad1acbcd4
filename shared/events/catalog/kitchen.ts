import { z } from "zod";
import { OrderId as orderId } from "./ids";

const ticketId = z.string().min(1);

/** A cook started preparing the order's ticket. */
export const PreparationStartedV1 = z.object({ orderId, ticketId, startedAt: z.iso.datetime() });
/** The order's pizzas came out of the oven. */
export const PizzaBakedV1 = z.object({ orderId, ticketId, bakedAt: z.iso.datetime() });
/** The head chef checked the order's pizzas; it can leave the kitchen. */
export const QualityCheckedV1 = z.object({ orderId, ticketId, checkedAt: z.iso.datetime() });
