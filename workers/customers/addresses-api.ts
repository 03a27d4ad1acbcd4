import { continueTrace } from "../../shared/events/trace";
import { allowRoles, contextApi } from "../../shared/http/context-api";
import { errorResponse } from "../../shared/http/errors";
import { serve } from "../../shared/http/openapi";
import { addAddress, getAddress, listAddresses } from "./addresses-api-routes";

export { AddAddressBody } from "./addresses-api-routes";

/** The customers' thin API (customer role): a customer's own delivery addresses (`me` is the caller). */
const customer = (env: Env, customerId: string) => env.CUSTOMERS.getByName(customerId);

export const customersApi = contextApi<Env>("customers");
customersApi.use("/customers/*", allowRoles("customer"));
// The body (AddAddressBody) is read and validated by the route's declaration before this runs.
serve(customersApi, addAddress, async (c) => {
  const body = c.req.valid("json");
  const customerId = c.env.principal.id;
  const address = await customer(c.env, customerId).addAddress({
    ...body,
    addressId: `address-${crypto.randomUUID()}`,
    customerId,
    commandId: `add-address:${crypto.randomUUID()}`,
    // The gateway started the request's trace; the event carries it unchanged.
    traceparent: continueTrace(c.req.header("traceparent")),
  });
  c.header("Location", `/customers/me/addresses/${address.addressId}`);
  return c.json(address, 201);
});
serve(customersApi, listAddresses, async (c) =>
  c.json({ addresses: await customer(c.env, c.env.principal.id).addresses() }),
);
// Where Location points. Only the caller's own object is asked, so another customer's address is 404.
serve(customersApi, getAddress, async (c) => {
  const address = await customer(c.env, c.env.principal.id).address(c.req.param("addressId"));
  return address ? c.json(address) : errorResponse(c, 404, "not_found", "No such address for this customer.");
});
