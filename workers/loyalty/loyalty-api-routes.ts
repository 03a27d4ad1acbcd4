import { z } from "@hono/zod-openapi";
import type { LoyaltyAccountView } from "../../durable-objects/loyalty/loyalty-account";
import { apiRoute, json, webSocketRoute, type Declares } from "../../shared/http/openapi";

/**
 * The loyalty API as declared: what loyalty-api.ts serves and the public origin's document shows.
 * Free of the loyalty worker's bindings, so the orders worker can import it.
 */
export const LoyaltyAccount = z
  .object({
    customerId: z.string(),
    points: z
      .number()
      .int()
      .openapi({ description: "1 point per whole currency unit of each completed order." }),
    awards: z.array(z.object({ orderId: z.string(), points: z.number().int(), awardedAt: z.iso.datetime() })),
  })
  .openapi("LoyaltyAccount");

true satisfies Declares<typeof LoyaltyAccount, LoyaltyAccountView>;

export const myAccount = apiRoute(
  {
    method: "get",
    path: "/loyalty/me",
    tags: ["Loyalty"],
    summary: "The caller's points",
    responses: { 200: json(LoyaltyAccount, "The caller's points and what earned them.") },
  },
  { roles: ["customer"] },
);

/** Each message of GET /loyalty/me/live. */
export const LoyaltyMessage = z.object({ type: z.literal("loyalty"), account: LoyaltyAccount });

export const myAccountLive = webSocketRoute(
  {
    path: "/loyalty/me/live",
    tags: ["Loyalty"],
    summary: "The caller's points, live",
    messages: LoyaltyMessage,
    messagesSay:
      '`{ type: "loyalty", account }` (the body of GET /loyalty/me) on connect and whenever points are awarded.',
  },
  { roles: ["customer"] },
);

/** Every route of the loyalty API, for the public origin's document. */
export const loyaltyRoutes = [myAccount, myAccountLive];
