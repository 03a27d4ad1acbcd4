import { z } from "zod";

/** Points were added to a customer's balance for a completed order. */
export const PointsAwardedV1 = z.object({
  customerId: z.string().min(1),
  orderId: z.uuid(),
  points: z.number().int().nonnegative(),
  balance: z.number().int().nonnegative(),
  awardedAt: z.iso.datetime(),
});
