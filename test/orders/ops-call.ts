import { env, exports } from "cloudflare:workers";
import { mintToken, type Role } from "../../shared/auth/token";

/** Calls the operators' API (`/ops…`) as `role` (none: no token), with a JSON body if one is given. */
export async function opsCall(
  method: string,
  path: string,
  { role, body }: { role?: Role; body?: unknown } = {},
): Promise<Response> {
  const headers: Record<string, string> = role
    ? { Authorization: `Bearer ${await mintToken(env.JWT_SECRET, `${role}-7`, role)}` }
    : {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  return exports.default.fetch(
    new Request(`https://pizza.test/ops${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    }),
  );
}
