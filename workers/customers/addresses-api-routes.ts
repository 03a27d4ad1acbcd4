import { z } from "@hono/zod-openapi";
import { apiRoute, json } from "../../shared/http/openapi";

/**
 * The customers' API as declared: what addresses-api.ts serves and the public origin's document shows.
 * Free of the customers worker's bindings, so the orders worker can import it.
 */
const CUSTOMER = { roles: ["customer"] } as const;
const TAGS = ["Customers"];

const line = (max: number) =>
  z.string().trim().min(1, "must not be empty").max(max, `at most ${max} characters`);

export const AddAddressBody = z
  .strictObject({
    line1: line(200),
    line2: line(200).optional(),
    city: line(100),
    postcode: line(16),
    // The same rule the event's schema applies, checked here so the customer hears about it.
    country: z.string().regex(/^[A-Z]{2}$/, "an ISO 3166-1 alpha-2 code in capitals, e.g. GB"),
  })
  .openapi("AddAddress", {
    example: { line1: "1 Basil Street", city: "Leeds", postcode: "LS1 1AA", country: "GB" },
  });

export const Address = z
  .object({
    addressId: z.string().openapi({
      description: "`address-<uuid>`: what an order's `deliveryAddressId` names.",
      example: "address-6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b",
    }),
    line1: z.string(),
    line2: z.string().optional(),
    city: z.string(),
    postcode: z.string(),
    country: z.string(),
    addedAt: z.iso.datetime(),
  })
  .openapi("Address");

export const addAddress = apiRoute(
  {
    method: "post",
    path: "/customers/me/addresses",
    tags: TAGS,
    summary: "Add a delivery address",
    description:
      "Published as an event: orders and delivery keep their own copies. An order may name it at once (it waits the moment its copy takes).",
    request: { body: { required: true, content: { "application/json": { schema: AddAddressBody } } } },
    responses: {
      201: {
        ...json(Address, "The address."),
        headers: { Location: { description: "Where the address is.", schema: { type: "string" } } },
      },
    },
  },
  { ...CUSTOMER, invalid: "The address is not valid." },
);

export const listAddresses = apiRoute(
  {
    method: "get",
    path: "/customers/me/addresses",
    tags: TAGS,
    summary: "The caller's addresses",
    responses: { 200: json(z.object({ addresses: z.array(Address) }), "The caller's addresses.") },
  },
  CUSTOMER,
);

export const getAddress = apiRoute(
  {
    method: "get",
    path: "/customers/me/addresses/{addressId}",
    tags: TAGS,
    summary: "One of the caller's addresses",
    request: { params: z.object({ addressId: z.string().openapi({ example: "address-…" }) }) },
    responses: { 200: json(Address, "The address.") },
  },
  CUSTOMER,
  { 404: "No such address for this customer (another customer's too)." },
);

/** Every route of the customers' API, for the public origin's document. */
export const customersRoutes = [addAddress, listAddresses, getAddress];
