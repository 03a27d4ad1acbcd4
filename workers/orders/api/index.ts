import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { startTrace } from "../../../shared/events/trace";
import { errorResponse } from "../../../shared/http/errors";
import { BUILT_FOR_LOCAL_DEV } from "../../../shared/local-life";
import { logEvent } from "../../../shared/log";
import { newRoutes, type OrdersApp } from "./app";
import { catalogRoutes } from "./catalog";
import { gatewayRoutes } from "./gateway";
import { localDevRoutes } from "./local-dev";
import { menuRoutes } from "./menu";
import { opsRoutes } from "./ops";
import { orderRoutes } from "./orders";
import { rateLimits } from "./rate-limits";
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

/** The public edge API of Plant Based Pizza. */
export const api = new Hono<OrdersApp>()
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
  )
  // The API's index; `/` itself is the storefront page (static assets, wrangler.toml [assets]).
  .get("/api", (c) =>
    c.json({
      service: "plant-based-pizza",
      menu: "/menu",
      orders: "/orders",
      schemas: "/schemas/events",
      catalog: "/catalog",
      contexts: [
        "/customers/me/addresses",
        "/loyalty/me",
        "/kitchen/tickets/{orderId}",
        "/delivery/orders/{orderId}",
        "/collection/orders/{orderId}",
        "/analytics/revenue",
      ],
    }),
  )
  .route("/menu", menuRoutes)
  .route("/orders", orderRoutes)
  .route("/schemas/events", schemaRoutes)
  .route("/catalog", catalogRoutes)
  .route("/ops", opsRoutes)
  // Local runs and tests only; in a deploy build these paths are a 404 like any unknown one. Demo
  // sign-in first: it is how the pages get a token, so it asks for none (the bus door needs an operator).
  .route("/dev", BUILT_FOR_LOCAL_DEV ? signInRoutes : newRoutes())
  .route("/dev", BUILT_FOR_LOCAL_DEV ? localDevRoutes : newRoutes())
  .route("/", gatewayRoutes)
  .notFound((c) =>
    errorResponse(c, 404, "not_found", `No route for ${c.req.method} ${new URL(c.req.url).pathname}.`),
  )
  .onError((error, c) => {
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
