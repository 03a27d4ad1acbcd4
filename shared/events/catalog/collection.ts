import { z } from "zod";

/** The customer collected the order at the counter. */
export const OrderCollectedV1 = z.object({ orderId: z.uuid(), collectedAt: z.iso.datetime() });
