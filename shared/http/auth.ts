import type { MiddlewareHandler } from "hono";
import { verifyToken, type Principal, type Role } from "../auth/token";
import { errorResponse } from "./errors";

export type AuthVariables = { principal: Principal };

/**
 * Hono middleware: a valid bearer token whose role is one of `roles`, else 401 (no or bad token,
 * with WWW-Authenticate) or 403 (valid token, wrong role). The principal is put on the context.
 */
export function requireRole(
  ...roles: Role[]
): MiddlewareHandler<{ Bindings: { JWT_SECRET: string }; Variables: AuthVariables }> {
  return async (c, next) => {
    const unauthorized = (message: string, reason: string) => {
      c.header("WWW-Authenticate", 'Bearer realm="plant-based-pizza"');
      return errorResponse(c, 401, "unauthorized", message, [{ field: "Authorization", reason }]);
    };
    const header = c.req.header("Authorization");
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match)
      return unauthorized("A bearer token is required.", header ? "expected 'Bearer <token>'" : "missing");
    const principal = await verifyToken(c.env.JWT_SECRET, match[1]!);
    if ("error" in principal) return unauthorized("The bearer token was not accepted.", principal.error);
    if (!roles.includes(principal.role)) {
      return errorResponse(c, 403, "forbidden", `This endpoint needs the ${roles.join(" or ")} role.`);
    }
    c.set("principal", principal);
    await next();
  };
}
