import { z } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { startTrace } from "../../../shared/events/trace";
import { errorResponse, exceptionResponse } from "../../../shared/http/errors";
import { apiRoute, json, serve } from "../../../shared/http/openapi";
import { BUILT_FOR_LOCAL_DEV } from "../../../shared/local-life";
import { logEvent } from "../../../shared/log";
import { newRoutes } from "./app";
import { catalogRoutes } from "./catalog";
import { gatewayRoutes } from "./gateway";
import { liveOrderRoutes } from "./live";
import { localDevRoutes } from "./local-dev";
import { menuRoutes } from "./menu";
import { opsRoutes } from "./ops";
import { orderRoutes } from "./orders";
import { rateLimits } from "./rate-limits";
import { referenceRoutes } from "./reference";
import { schemaRoutes } from "./schemas";
import { signInRoutes } from "./sign-in";

const SMALL_BODY_KB = 32;
const ORDER_BODY_KB = 512;
const bodyLimitOf = (kb: number) =>
  bodyLimit({
    maxSize: kb * 1024,
    onError: (c) =>
      errorResponse(c, 413, "payload_too_large", `The body is larger than ${kb} KB.`, [
        { field: "body", reason: `larger than ${kb} KB` },
      ]),
  });
const orderBodyLimit = bodyLimitOf(ORDER_BODY_KB);

const home = apiRoute(
  {
    method: "get",
    path: "/api",
    tags: ["Contract"],
    summary: "Where everything is",
    responses: {
      200: json(
        z.object({
          service: z.string(),
          storefront: z.string(),
          menu: z.string(),
          orders: z.string(),
          schemas: z.string(),
          catalog: z.string(),
          openapi: z.string(),
          reference: z.string(),
          contexts: z.array(z.string()),
        }),
        "Links to the parts of the API.",
      ),
    },
  },
  { roles: "anyone" },
);

/**
 * The public edge API of Plant Based Pizza. Every route is declared with its schemas (createRoute, in
 * its module), so GET /openapi.json describes exactly what is served: reference.ts adds the context
 * APIs the gateway forwards to. The /dev routes exist only in local builds (a deploy answers 404) and
 * are not part of the contract: undeclared there, or declared saying "local builds only".
 */
export const api = newRoutes();
api
  // Every request starts (or continues) the trace its events will carry; the client gets it back.
  .use("*", async (c, next) => {
    c.set("traceparent", startTrace(c.req.header("traceparent")));
    await next();
    c.res.headers.set("traceparent", c.var.traceparent);
  })
  // First, so that a refused request costs only its count: no body read, no object woken.
  .use("*", rateLimits)
  // Small bodies everywhere but submitting an order: a catering order (500 lines with labels and
  // notes) reaches about 400 KB.
  .use("*", (c, next) =>
    (c.req.method === "POST" && c.req.path === "/orders" ? orderBodyLimit : bodyLimitOf(SMALL_BODY_KB))(
      c,
      next,
    ),
  );
// The API's index; `/` itself is the storefront page (static assets, wrangler.toml [assets]).
serve(api, home, (c) =>
  c.json({
    service: "plant-based-pizza",
    storefront: "/",
    menu: "/menu",
    orders: "/orders",
    schemas: "/schemas/events",
    catalog: "/catalog",
    openapi: "/openapi.json",
    reference: "/reference",
    contexts: [
      "/customers/me/addresses",
      "/loyalty/me",
      "/kitchen/tickets/{orderId}",
      "/delivery/orders/{orderId}",
      "/collection/orders/{orderId}",
      "/analytics/revenue",
    ],
  }),
);
api
  .route("/menu", menuRoutes)
  .route("/orders", liveOrderRoutes) // before orderRoutes: its token may be in the subprotocol
  .route("/orders", orderRoutes)
  .route("/schemas/events", schemaRoutes)
  .route("/catalog", catalogRoutes)
  .route("/ops", opsRoutes)
  // Local runs and tests only; in a deploy build these paths are a 404 like any unknown one. Demo
  // sign-in first: it is how the pages get a token, so it asks for none (the bus door needs an operator).
  .route("/dev", BUILT_FOR_LOCAL_DEV ? signInRoutes : newRoutes())
  .route("/dev", BUILT_FOR_LOCAL_DEV ? localDevRoutes : newRoutes())
  .route(
    "/",
    referenceRoutes(() => api),
  )
  .route("/", gatewayRoutes)
  .notFound((c) =>
    errorResponse(c, 404, "not_found", `No route for ${c.req.method} ${new URL(c.req.url).pathname}.`),
  )
  .onError((error, c) => {
    // A library's refusal (a media type check) is the client's error, in our shape.
    const refused = exceptionResponse(c, error);
    if (refused) return refused;
    logEvent({
      at: "orders-api",
      outcome: "error",
      method: c.req.method,
      route: c.req.routePath,
      traceparent: c.var.traceparent,
      reason: error.message,
    });
    return errorResponse(c, 500, "internal_error", "Something went wrong; it has been logged.");
  });
