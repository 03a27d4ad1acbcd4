import { sign, verify } from "hono/jwt";
import { z } from "zod";

/**
 * Bearer tokens: HS256 JWTs signed with JWT_SECRET (a `wrangler secret`, `.dev.vars` locally).
 * `sub` is the customer (or staff member / operator / analyst) id; `role` says which endpoints they may use.
 * Operators run the system (dead letters, deprecations, the bus); analysts read the business figures
 * (revenue): different people with different needs, so neither role opens the other's endpoints.
 */
export const Role = z.enum(["customer", "staff", "operator", "analyst"]);
export type Role = z.infer<typeof Role>;

const HOUR = 3600;

/**
 * The longest a token may live, by role. A token cannot be revoked, so its lifetime is how long a
 * leaked one stays useful: the more a role can do, the shorter. Customers and analysts only reach their
 * own orders or read-only figures: a day. Staff move anyone's order through the kitchen, the counter and
 * delivery: a shift. Operators redrive and discard dead letters and replay the archive, which can move
 * money: a working day, then a fresh token.
 */
export const MAX_TOKEN_LIFETIME_SECONDS: Readonly<Record<Role, number>> = {
  customer: 24 * HOUR,
  analyst: 24 * HOUR,
  staff: 12 * HOUR,
  operator: 8 * HOUR,
};

const Claims = z.object({
  sub: z.string().min(1).max(128),
  role: Role.default("customer"),
  // hono's verify has already refused an `exp` in the past and an `iat` in the future (or not numbers).
  exp: z.number().optional(),
  iat: z.number().optional(),
});
export type Principal = { id: string; role: Role };

const hours = (seconds: number) => `${seconds / HOUR} hours`;

/** Signs a token for `sub`; it lives `ttlSeconds`, by default (and at most) the longest its role may. */
export async function mintToken(
  secret: string,
  sub: string,
  role: Role = "customer",
  ttlSeconds = MAX_TOKEN_LIFETIME_SECONDS[role],
): Promise<string> {
  const max = MAX_TOKEN_LIFETIME_SECONDS[role];
  if (!(ttlSeconds >= 1 && ttlSeconds <= max)) {
    throw new RangeError(
      `A ${role} token lives at least 1 second and at most ${hours(max)}; ${ttlSeconds} seconds is not allowed.`,
    );
  }
  const now = Math.floor(Date.now() / 1000);
  return sign({ sub, role, iat: now, exp: now + Math.floor(ttlSeconds) }, secret, "HS256");
}

/**
 * Returns the principal, or the reason the token is not acceptable. Beyond a good signature and an
 * unexpired `exp`, a token must have an `exp` at all (hono's verify accepts one without, which would
 * never expire), and must not live longer than its role may. The lifetime is `exp - iat`, the one the
 * token was issued with, so a token minted for too long is refused from its first second to its last,
 * not only until it gets close to its end; without `iat`, all we can measure is what is left,
 * `exp - now`, which still bounds how long it can be used from here.
 */
export async function verifyToken(secret: string, token: string): Promise<Principal | { error: string }> {
  let payload: unknown;
  try {
    payload = await verify(token, secret, "HS256");
  } catch (error) {
    return {
      error:
        error instanceof Error && /expired/i.test(error.message)
          ? "token expired"
          : "token signature or format is invalid",
    };
  }
  const claims = Claims.safeParse(payload);
  if (!claims.success) return { error: "token claims are invalid (need sub and a known role)" };
  const { sub, role, exp, iat } = claims.data;
  if (exp === undefined) return { error: "token has no expiry (exp); every token must have one" };
  const max = MAX_TOKEN_LIFETIME_SECONDS[role];
  if (exp - (iat ?? Math.floor(Date.now() / 1000)) > max)
    return { error: `token lives longer than a ${role} token may (at most ${hours(max)})` };
  return { id: sub, role };
}
