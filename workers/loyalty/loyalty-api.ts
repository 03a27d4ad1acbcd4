import { LIVE_FOR_HEADER } from "../../shared/durable/live-sockets";
import { allowRoles, contextApi } from "../../shared/http/context-api";
import { isWebSocketUpgrade, liveRequest, upgradeRequired } from "../../shared/http/live";
import { serve } from "../../shared/http/openapi";
import { myAccount, myAccountLive } from "./loyalty-api-routes";

/** The loyalty thin API (customer role): a customer's own points (`me` is the caller). */
const account = (env: Env, customerId: string) => env.LOYALTY_ACCOUNTS.getByName(customerId);

export const loyaltyApi = contextApi<Env>("loyalty");
loyaltyApi.use("/loyalty/*", allowRoles("customer"));
serve(loyaltyApi, myAccount, async (c) =>
  c.json(await account(c.env, c.env.principal.id).accountOf(c.env.principal.id)),
);
/**
 * The same account, pushed: a WebSocket the customer's LoyaltyAccount accepts (hibernating), sending
 * `{ type: "loyalty", account }` at once and whenever points are awarded. The gateway verified the
 * token and sends upgrades to this worker's entrypoint `fetch` (a WebSocket cannot come back over RPC).
 */
serve(loyaltyApi, myAccountLive, async (c) => {
  if (!isWebSocketUpgrade(c.req.raw)) return upgradeRequired(c);
  const customerId = c.env.principal.id;
  return account(c.env, customerId).fetch(liveRequest(c.req.raw, { [LIVE_FOR_HEADER]: customerId }));
});
