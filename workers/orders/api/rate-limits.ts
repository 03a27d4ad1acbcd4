import { rateLimitPerCaller, type RateLimitRule } from "../../../shared/http/rate-limit";
import type { OrdersApp } from "./app";

/**
 * The public API's limits per caller (shared/http/rate-limit.ts says who a caller is), as the
 * [[ratelimits]] bindings in wrangler.toml configure them (test/orders/rate-limits.test.ts checks they
 * agree). Commands change things and cost the most (an order, a payment, a ticket), so they have the
 * tighter limit; reads are polled.
 *
 * Sized so that real customers never meet them and a burst does, with room for the repository's own
 * clients: the e2e tests poll an order every 200 ms (at most 50 reads in 10 s), the soak polls each of a
 * customer's five orders and their events every ~2 s (at most 50 reads in 10 s) and retries a submit or
 * a cancel every 500 ms while an address is on its way or an object restarts (at most 20 commands in
 * 10 s). A person tapping through the app does a few of each.
 */
export const RATE_LIMITS = {
  COMMAND_RATE_LIMIT: { limit: 30, periodSeconds: 10, counts: "commands" },
  READ_RATE_LIMIT: { limit: 120, periodSeconds: 10, counts: "reads" },
} as const satisfies Record<string, Omit<RateLimitRule, "limiter">>;

const READS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Every request to the public API counts: reads against one limit, everything else against the other. */
export const rateLimits = rateLimitPerCaller<OrdersApp>((c) => {
  const binding = READS.has(c.req.method) ? "READ_RATE_LIMIT" : "COMMAND_RATE_LIMIT";
  return { limiter: c.env[binding], ...RATE_LIMITS[binding] };
});
