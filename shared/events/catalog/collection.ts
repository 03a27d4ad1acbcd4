import { z } from "zod";
import { OrderId } from "./ids";

/** The customer collected the order at the counter. */
export const OrderCollectedV1 = z.object({ orderId: OrderId, collectedAt: z.iso.datetime() });
