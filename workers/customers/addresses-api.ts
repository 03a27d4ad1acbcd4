import { z } from "zod";
import { continueTrace } from "../../shared/events/trace";
import { allowRoles, contextApi } from "../../shared/http/context-api";
import { errorResponse, zodIssues } from "../../shared/http/errors";
import { readJsonBody } from "../../shared/http/json-body";

/** The customers' thin API (customer role): a customer's own delivery addresses (`me` is the caller). */
const customer = (env: Env, customerId: string) => env.CUSTOMERS.getByName(customerId);

const line = (max: number) =>
  z.string().trim().min(1, "must not be empty").max(max, `at most ${max} characters`);

export const AddAddressBody = z.strictObject({
  line1: line(200),
  line2: line(200).optional(),
  city: line(100),
  postcode: line(16),
  // The same rule the event's schema applies, checked here so the customer hears about it.
  country: z.string().regex(/^[A-Z]{2}$/, "an ISO 3166-1 alpha-2 code in capitals, e.g. GB"),
});

export const customersApi = contextApi<Env>("customers")
  .use("/customers/*", allowRoles("customer"))
  .post("/customers/me/addresses", async (c) => {
    const parsed = await readJsonBody(c);
    if (!parsed.ok) return parsed.response;
    const body = AddAddressBody.safeParse(parsed.body);
    if (!body.success)
      return errorResponse(c, 400, "validation_failed", "The address is not valid.", zodIssues(body.error));
    const customerId = c.env.principal.id;
    const address = await customer(c.env, customerId).addAddress({
      ...body.data,
      addressId: `address-${crypto.randomUUID()}`,
      customerId,
      commandId: `add-address:${crypto.randomUUID()}`,
      // The gateway started the request's trace; the event carries it unchanged.
      traceparent: continueTrace(c.req.header("traceparent")),
    });
    c.header("Location", `/customers/me/addresses/${address.addressId}`);
    return c.json(address, 201);
  })
  .get("/customers/me/addresses", async (c) =>
    c.json({ addresses: await customer(c.env, c.env.principal.id).addresses() }),
  )
  // Where Location points. Only the caller's own object is asked, so another customer's address is 404.
  .get("/customers/me/addresses/:addressId", async (c) => {
    const address = await customer(c.env, c.env.principal.id).address(c.req.param("addressId"));
    return address
      ? c.json(address)
      : errorResponse(c, 404, "not_found", "No such address for this customer.");
  });
