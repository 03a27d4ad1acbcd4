import { allowRoles, contextApi } from "../../shared/http/context-api";
import { serve } from "../../shared/http/openapi";
import { myAccount } from "./loyalty-api-routes";

/** The loyalty thin API (customer role): a customer's own points (`me` is the caller). */
const account = (env: Env, customerId: string) => env.LOYALTY_ACCOUNTS.getByName(customerId);

export const loyaltyApi = contextApi<Env>("loyalty");
loyaltyApi.use("/loyalty/*", allowRoles("customer"));
serve(loyaltyApi, myAccount, async (c) => {
  const customerId = c.env.principal.id;
  return c.json({ customerId, ...(await account(c.env, customerId).account()) });
});
