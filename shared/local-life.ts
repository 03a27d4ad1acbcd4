/**
 * Whether this code was built by `wrangler dev` (so `npm run dev` and the end-to-end tests) rather than
 * by `wrangler deploy`. Wrangler replaces `process.env.NODE_ENV` when it bundles a worker: "development"
 * for `wrangler dev`, "production" for `wrangler deploy` (and `npm run deploy` pins NODE_ENV=production
 * so a stray shell variable cannot change that). Whatever exists only for local life (fault injection,
 * simulated staff, the test bus door) asks this first, so no deploy can switch it on, whatever its vars
 * or secrets say. Where nothing replaced it (the vitest pool, Node), `process` does not exist in workerd
 * and the answer is no.
 */
declare const process: { env: { NODE_ENV?: string } };

function buildMode(): string {
  try {
    return process.env.NODE_ENV ?? "";
  } catch {
    return "";
  }
}

export const BUILT_FOR_LOCAL_DEV: boolean = buildMode() === "development";
