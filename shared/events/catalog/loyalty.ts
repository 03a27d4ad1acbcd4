import { z } from "zod";
import { CustomerId, OrderId } from "./ids";

/** Points were added to a customer's balance for a completed order. */
export const PointsAwardedV1 = z.object({
  customerId: CustomerId,
  orderId: OrderId,
  points: z.number().int().nonnegative(),
  balance: z.number().int().nonnegative(),
  awardedAt: z.iso.datetime(),
});
