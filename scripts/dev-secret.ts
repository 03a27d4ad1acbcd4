import { existsSync, readFileSync } from "node:fs";
import { parseEnv } from "node:util";

/**
 * The JWT secret local tools and tests sign with: JWT_SECRET from the environment, else from
 * .dev.vars (what `wrangler dev` reads), else from the committed .dev.vars.example.
 * Node-only: never imported by a worker.
 */
export function devJwtSecret(root = process.cwd()): string {
  if (process.env.JWT_SECRET) return process.env.JWT_SECRET;
  for (const file of [".dev.vars", ".dev.vars.example"]) {
    const path = `${root}/${file}`;
    if (!existsSync(path)) continue;
    const secret = parseEnv(readFileSync(path, "utf8")).JWT_SECRET;
    if (secret) return secret;
  }
  throw new Error("No JWT_SECRET: set it in the environment or in .dev.vars");
}
