import { decode } from "hono/jwt";
import { z } from "zod";
import { MAX_TOKEN_LIFETIME_SECONDS, mintToken } from "../../../shared/auth/token";
import { errorResponse, zodIssues } from "../../../shared/http/errors";
import { readJsonBody } from "../../../shared/http/json-body";
import { apiRoute, json, routesOf } from "../../../shared/http/openapi";
import { BUILT_FOR_LOCAL_DEV } from "../../../shared/local-life";
import { newRoutes } from "./app";

/**
 * Demo sign-in, for local runs only: anyone may be any customer, staff member or operator by typing a
 * name, so the pages can be tried without minting tokens on the command line. There is no identity
 * provider here; a real one would issue the same bearer tokens. A deploy must never hand out tokens to
 * whoever asks (an operator token can redrive and discard dead letters), so this is mounted only in a
 * build made by `wrangler dev` (api/index.ts, shared/local-life.ts) and refuses again here if ever
 * mounted elsewhere. Analysts are left out: no page is theirs.
 */
export const SignInBody = z.object({
  role: z.enum(["customer", "staff", "operator"]),
  name: z.string().trim().min(1, "at least 1 character").max(40, "at most 40 characters"),
});
export type SignInBody = z.infer<typeof SignInBody>;

export const SignInAnswer = z.object({
  token: z.string(),
  principal: z.object({ id: z.string(), role: SignInBody.shape.role }),
  expiresAt: z.string().meta({
    description: "ISO 8601: when the token stops being accepted (the longest its role may live).",
  }),
});
export type SignInAnswer = z.infer<typeof SignInAnswer>;

/**
 * `demo-<role>-<slug of the name>`: the same name and role always sign in as the same id (so a
 * customer finds their orders, addresses and points again), readable in logs and boards. A name with
 * no Latin letter or digit (say, written in another script) gets a short hash of itself instead.
 */
export async function demoPrincipalId(role: SignInBody["role"], name: string): Promise<string> {
  const slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  if (slug) return `demo-${role}-${slug}`;
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(name.trim().toLowerCase()));
  const hex = [...new Uint8Array(digest).slice(0, 6)].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `demo-${role}-${hex}`;
}

/** Declared where it is mounted, so only a local build's GET /openapi.json shows it (api/index.ts). */
const signIn = apiRoute(
  {
    method: "post",
    path: "/sign-in",
    tags: ["Demo sign-in"],
    summary: "Sign in as anyone, by name (local builds only)",
    description:
      "Local builds only: a deploy answers 404. A bearer token for the role and name typed, to try the " +
      "pages without minting tokens; the same name and role sign in as the same id. No identity provider: " +
      "a real one would issue the same tokens.",
    request: { body: { required: true, content: { "application/json": { schema: SignInBody } } } },
    responses: {
      200: {
        ...json(SignInAnswer, "Signed in: the token, who it names, and when it expires."),
        headers: {
          "Cache-Control": {
            description: "`no-store`: a token is a credential.",
            schema: { type: "string" },
          },
        },
      },
    },
  },
  { roles: "anyone", invalid: "The sign-in is not valid." },
);

export const signInRoutes = routesOf(newRoutes())
  // Refused again if ever mounted outside a local build, before the body is read.
  .use("/sign-in", async (c, next) => {
    if (!BUILT_FOR_LOCAL_DEV)
      return errorResponse(c, 404, "not_found", `No route for ${c.req.method} ${c.req.path}.`);
    await next();
  })
  .serve(signIn, async (c) => {
    const parsed = await readJsonBody(c);
    if (!parsed.ok) return parsed.response;
    const body = SignInBody.safeParse(parsed.body);
    if (!body.success)
      return errorResponse(c, 400, "validation_failed", "The sign-in is not valid.", zodIssues(body.error));
    const { role, name } = body.data;
    const id = await demoPrincipalId(role, name);
    const token = await mintToken(c.env.JWT_SECRET, id, role, MAX_TOKEN_LIFETIME_SECONDS[role]);
    const exp = Number(decode(token).payload.exp);
    const answer: SignInAnswer = {
      token,
      principal: { id, role },
      expiresAt: new Date(exp * 1000).toISOString(),
    };
    // A token is a credential: never cached on the way.
    c.header("Cache-Control", "no-store");
    return c.json(answer);
  }).app;
