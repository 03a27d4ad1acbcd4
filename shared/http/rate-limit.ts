import type { Context, MiddlewareHandler } from "hono";
import { logEvent } from "../log";
import { authenticate } from "./auth";
import { errorResponse } from "./errors";

/**
 * A Workers Rate Limiting binding ([[ratelimits]] in wrangler.toml) with what its config says. The
 * binding answers only whether a key is still within its limit, so the limit and the period are restated
 * here, for the 429's Retry-After and reason.
 */
export interface RateLimitRule {
  limiter: RateLimit;
  limit: number;
  /** The binding's period: Cloudflare allows 10 or 60 seconds. */
  periodSeconds: 10 | 60;
  /** What it counts, for people: "commands", "reads". */
  counts: string;
}

/**
 * Hono middleware: counts each request against `ruleFor(c)` for its caller, and once the caller is over
 * the limit answers 429 with Retry-After and the JSON error; every other caller keeps their own count.
 *
 * The caller is the principal of a valid bearer token (each customer, staff member, operator and
 * analyst counted on their own, whatever their role lets them do next), else the client's address as
 * Cloudflare reports it (cf-connecting-ip): anonymous requests and bad tokens share one count per
 * address, never a customer's, so a forged token cannot spend a customer's budget.
 */
export function rateLimitPerCaller<E extends { Bindings: { JWT_SECRET: string } }>(
  ruleFor: (c: Context<E>) => RateLimitRule,
): MiddlewareHandler<E> {
  return async (c, next) => {
    const rule = ruleFor(c);
    const authentication = await authenticate(c.req.raw, c.env.JWT_SECRET);
    const caller =
      "principal" in authentication
        ? {
            key: `${authentication.principal.role}:${authentication.principal.id}`,
            field: "Authorization",
            who: `${authentication.principal.role} ${authentication.principal.id}`,
          }
        : {
            key: `address:${c.req.header("cf-connecting-ip") ?? "unknown"}`,
            field: "cf-connecting-ip",
            who: "requests without a valid token from this address",
          };
    const { success } = await rule.limiter.limit({ key: caller.key }).catch((error: unknown) => {
      // A limiter that cannot answer lets the request through: it is there to stop bursts, and
      // refusing every order while it is down would be worse than a burst.
      logEvent({ at: "rate-limit", outcome: "limiter-failed", reason: String(error) });
      return { success: true };
    });
    if (success) return next();
    // The binding does not say when the caller may try again. One whole period is when the window
    // that refused them is over (locally windows are fixed and aligned to the clock, so it is an upper
    // bound; Cloudflare counts per location, approximately, so it is the honest estimate there).
    c.header("Retry-After", String(rule.periodSeconds));
    return errorResponse(
      c,
      429,
      "rate_limited",
      `Too many ${rule.counts}: try again in ${rule.periodSeconds} seconds.`,
      [
        {
          field: caller.field,
          reason: `more than ${rule.limit} ${rule.counts} in ${rule.periodSeconds} seconds for ${caller.who}`,
        },
      ],
    );
  };
}
