/**
 * `npm run token -- <id> [--role customer|staff|operator|analyst]` prints a bearer token for local use,
 * signed with the same JWT_SECRET `wrangler dev` reads from .dev.vars.
 */
import { parseArgs } from "node:util";
import { devJwtSecret } from "./dev-secret.ts";
import { mintToken, Role } from "../shared/auth/token.ts";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { role: { type: "string", default: "customer" }, hours: { type: "string", default: "24" } },
});
const role = Role.safeParse(values.role);
const subject = positionals[0];
if (!subject || !role.success) {
  console.error("usage: npm run token -- <customerId> [--role customer|staff|operator|analyst] [--hours 24]");
  process.exit(2);
}
console.log(await mintToken(devJwtSecret(), subject, role.data, Number(values.hours) * 3600));
