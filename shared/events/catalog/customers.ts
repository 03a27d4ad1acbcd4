import { z } from "zod";
import { CustomerId } from "./ids";

/**
 * State transfer: the whole address, so the delivery context keeps its own copy and orders can check
 * an address belongs to its customer, neither calling the customers context.
 */
export const AddressAddedV1 = z.object({
  customerId: CustomerId,
  addressId: z.string().min(1),
  line1: z.string().min(1),
  line2: z.string().min(1).optional(),
  city: z.string().min(1),
  postcode: z.string().min(1),
  country: z.string().regex(/^[A-Z]{2}$/),
  addedAt: z.iso.datetime(),
});
