import { z } from "@hono/zod-openapi";
import { buildAsyncApi } from "../../../shared/events/asyncapi";
import { CATALOG_CSS, renderCatalogPage } from "../../../shared/events/catalog-page";
import { apiRoute, json, routesOf } from "../../../shared/http/openapi";
import { subscriptions } from "../../router/routing-table";
import { newRoutes } from "./app";

/**
 * The event catalog, public like the schemas: GET /catalog is a page people can read (every event by
 * family and version, its status and deprecation timeline, producer, consumers and why, shape, example,
 * JSON Schema), rendered on the server from the registry and the subscriptions; GET
 * /catalog/asyncapi.json is the same events as an AsyncAPI 3 document, the one docs/asyncapi.json holds.
 */

/** The page has no script and one inline stylesheet: the policy allows exactly that stylesheet, by its hash. */
let policy: Promise<string> | undefined;
async function contentSecurityPolicy(): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(CATALOG_CSS));
  const hash = btoa(String.fromCharCode(...new Uint8Array(digest)));
  return `default-src 'none'; style-src 'sha256-${hash}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
}

/** The document depends only on code: built once per isolate. */
let asyncApi: ReturnType<typeof buildAsyncApi> | undefined;

const TAGS = ["Event catalog"];

const catalogPage = apiRoute(
  {
    method: "get",
    path: "/",
    tags: TAGS,
    summary: "The event catalog, a page for people",
    responses: {
      200: { description: "An HTML page.", content: { "text/html": { schema: z.string() } } },
    },
  },
  { roles: "anyone" },
);

const asyncApiDocument = apiRoute(
  {
    method: "get",
    path: "/asyncapi.json",
    tags: TAGS,
    summary: "The same events as an AsyncAPI 3 document",
    responses: { 200: json(z.record(z.string(), z.unknown()), "The AsyncAPI 3.0 document.") },
  },
  { roles: "anyone" },
);

export const catalogRoutes = routesOf(newRoutes())
  .serve(catalogPage, async (c) => {
    c.header("Content-Security-Policy", await (policy ??= contentSecurityPolicy()));
    c.header("X-Content-Type-Options", "nosniff");
    return c.html(renderCatalogPage(subscriptions, new Date()));
  })
  .serve(asyncApiDocument, (c) => c.json((asyncApi ??= buildAsyncApi(subscriptions)))).app;
