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

const Claims = z.object({
  sub: z.string().min(1).max(128),
  role: Role.default("customer"),
});
export type Principal = { id: string; role: Role };

export async function mintToken(
  secret: string,
  sub: string,
  role: Role = "customer",
  ttlSeconds = 24 * 3600,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return sign({ sub, role, iat: now, exp: now + ttlSeconds }, secret, "HS256");
}

/** Returns the principal, or the reason the token is not acceptable. */
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
  return { id: claims.data.sub, role: claims.data.role };
}
