import { allowRoles, contextApi } from "../../shared/http/context-api";

/** The loyalty thin API (customer role): a customer's own points (`me` is the caller). */
const account = (env: Env, customerId: string) => env.LOYALTY_ACCOUNTS.getByName(customerId);

export const loyaltyApi = contextApi<Env>("loyalty")
  .use("/loyalty/*", allowRoles("customer"))
  .get("/loyalty/me", async (c) => {
    const customerId = c.env.principal.id;
    return c.json({ customerId, ...(await account(c.env, customerId).account()) });
  });
