import { z } from "zod";
import { OrderId as orderId } from "./ids";

const deliveryId = z.string().min(1);
const driverId = z.string().min(1);

export const DriverAssignedV1 = z.object({ orderId, deliveryId, driverId, assignedAt: z.iso.datetime() });
export const OrderCollectedByDriverV1 = z.object({
  orderId,
  deliveryId,
  driverId,
  collectedAt: z.iso.datetime(),
});
export const OrderDeliveredV1 = z.object({ orderId, deliveryId, driverId, deliveredAt: z.iso.datetime() });
