/**
 * `npm run token -- <id> [--role customer|staff|operator|analyst] [--hours N]` prints a bearer token for
 * local use, signed with the same JWT_SECRET `wrangler dev` reads from .dev.vars. It always expires: by
 * default after the longest its role may live (shared/auth/token.ts), and --hours may only shorten that.
 */
import { parseArgs } from "node:util";
import { devJwtSecret } from "./dev-secret.ts";
import { MAX_TOKEN_LIFETIME_SECONDS, mintToken, Role } from "../shared/auth/token.ts";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { role: { type: "string", default: "customer" }, hours: { type: "string" } },
});
const role = Role.safeParse(values.role);
const subject = positionals[0];
const hours = values.hours === undefined ? undefined : Number(values.hours);
if (!subject || !role.success || (hours !== undefined && !(hours > 0))) {
  console.error("usage: npm run token -- <customerId> [--role customer|staff|operator|analyst] [--hours N]");
  process.exit(2);
}
const maxHours = MAX_TOKEN_LIFETIME_SECONDS[role.data] / 3600;
if (hours !== undefined && hours > maxHours) {
  console.error(
    `--hours ${values.hours} is too long: a ${role.data} token lives at most ${maxHours} hours. ` +
      `Leave --hours out for ${maxHours}, or give a smaller number.`,
  );
  process.exit(2);
}
try {
  console.log(
    await mintToken(devJwtSecret(), subject, role.data, hours === undefined ? undefined : hours * 3600),
  );
} catch (error) {
  // Too short to sign (under a second): mintToken says what it accepts.
  if (!(error instanceof RangeError)) throw error;
  console.error(error.message);
  process.exit(2);
}
