import type { MiddlewareHandler } from "hono";
import { verifyToken, type Principal, type Role } from "../auth/token";
import { errorResponse } from "./errors";

export type AuthVariables = { principal: Principal };

/** Who a request's bearer token says is calling, or why it names nobody. */
export type Authentication = { principal: Principal } | { message: string; reason: string };

// Per request, so the rate limiter (which asks first, to count the caller) and requireRole verify once.
const authentications = new WeakMap<Request, Promise<Authentication>>();

/** The request's bearer token, verified: its principal, or what is wrong with it. */
export function authenticate(request: Request, secret: string): Promise<Authentication> {
  let authentication = authentications.get(request);
  if (!authentication) {
    authentication = verifyBearer(request.headers.get("Authorization"), secret);
    authentications.set(request, authentication);
  }
  return authentication;
}

async function verifyBearer(header: string | null, secret: string): Promise<Authentication> {
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (!match) {
    return {
      message: "A bearer token is required.",
      reason: header ? "expected 'Bearer <token>'" : "missing",
    };
  }
  const principal = await verifyToken(secret, match[1]!);
  if ("error" in principal) return { message: "The bearer token was not accepted.", reason: principal.error };
  return { principal };
}

/** Where a request's token came from, and what it says: what a role check reads. */
export interface TokenSource {
  authenticate(request: Request, secret: string): Promise<Authentication>;
  /** The field a 401 names: the header (or subprotocol) the token was read from. */
  field(request: Request): string;
}

const AUTHORIZATION_HEADER: TokenSource = { authenticate, field: () => "Authorization" };

/**
 * Hono middleware: a valid bearer token whose role is one of `roles`, else 401 (no or bad token,
 * with WWW-Authenticate) or 403 (valid token, wrong role). The principal is put on the context. The
 * token is read from the Authorization header, or from where `source` says (live views:
 * shared/http/live.ts), and checked the same way whichever.
 */
export function requireRole(...roles: Role[]) {
  return requireRoleFrom(AUTHORIZATION_HEADER, ...roles);
}

export function requireRoleFrom(
  source: TokenSource,
  ...roles: Role[]
): MiddlewareHandler<{ Bindings: { JWT_SECRET: string }; Variables: AuthVariables }> {
  return async (c, next) => {
    const authentication = await source.authenticate(c.req.raw, c.env.JWT_SECRET);
    if (!("principal" in authentication)) {
      c.header("WWW-Authenticate", 'Bearer realm="plant-based-pizza"');
      return errorResponse(c, 401, "unauthorized", authentication.message, [
        { field: source.field(c.req.raw), reason: authentication.reason },
      ]);
    }
    const { principal } = authentication;
    if (!roles.includes(principal.role)) {
      return errorResponse(c, 403, "forbidden", `This endpoint needs the ${roles.join(" or ")} role.`);
    }
    c.set("principal", principal);
    await next();
  };
}
