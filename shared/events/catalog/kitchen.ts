import { z } from "zod";

/** The kitchen has a ticket for the order and a cook has started preparing it. */
export const PreparationStartedV1 = z.object({
  orderId: z.uuid(),
  ticketId: z.string().min(1),
  startedAt: z.iso.datetime(),
});
