import { buildAsyncApi } from "../../../shared/events/asyncapi";
import { CATALOG_CSS, renderCatalogPage } from "../../../shared/events/catalog-page";
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

export const catalogRoutes = newRoutes()
  .get("/", async (c) => {
    c.header("Content-Security-Policy", await (policy ??= contentSecurityPolicy()));
    c.header("X-Content-Type-Options", "nosniff");
    return c.html(renderCatalogPage(subscriptions, new Date()));
  })
  .get("/asyncapi.json", (c) => c.json((asyncApi ??= buildAsyncApi(subscriptions))));
