import { createRoute, OpenAPIHono, z, type RouteConfig, type RouteHandler } from "@hono/zod-openapi";
import type { Context, Env as HonoEnv, MiddlewareHandler, ValidationTargets } from "hono";
import type { Role } from "../auth/token";
import { errorResponse, zodIssues } from "./errors";
import { readJsonBody } from "./json-body";

/**
 * The HTTP contract, written once: each route is declared with `createRoute` and the zod schemas that
 * validate its input, so the OpenAPI 3.1 document (GET /openapi.json) cannot drift from what the API
 * accepts. These helpers add what every route of the public origin shares: the error shape and the
 * statuses each can answer, the bearer token and the roles it needs, and a way to declare a WebSocket
 * (OpenAPI has none: a GET answered 101, with the messages the server sends).
 *
 * `.openapi(…)` exists only on zod schemas built after @hono/zod-openapi was loaded (zod 4 copies its
 * methods onto each schema as it is built): on a schema from elsewhere (the event catalog's Money…)
 * use zod's own `.meta({ description, example })`, which the generator reads too.
 */

/** The one error shape (errors.ts), as a component every error response points at. */
export const ErrorBody = z
  .object({
    error: z.string().openapi({ description: "A machine-readable code.", example: "validation_failed" }),
    message: z.string().openapi({ description: "A sentence for people." }),
    issues: z
      .array(
        z.object({
          field: z.string().openapi({ description: "`items.0.quantity` style; `body` for the whole body." }),
          reason: z.string(),
        }),
      )
      .optional()
      .openapi({ description: "For input errors: one entry per bad field, with the reason." }),
  })
  .openapi("Error");

/** Every status an API of the public origin answers with an error, its code and what it means. */
const ERRORS = {
  400: { code: "validation_failed", says: "The input is not valid (or not JSON: `invalid_json`)." },
  401: { code: "unauthorized", says: "No bearer token, or one that was not accepted." },
  403: { code: "forbidden", says: "The token's role may not use this endpoint." },
  404: { code: "not_found", says: "Not found." },
  409: { code: "conflict", says: "Not in a state where this makes sense; the message says why." },
  413: { code: "payload_too_large", says: "The body is larger than the limit (32 KB)." },
  415: { code: "unsupported_media_type", says: "The body is not sent as application/json." },
  422: { code: "idempotency_key_reused", says: "This Idempotency-Key was used with another body." },
  426: { code: "upgrade_required", says: "Not a WebSocket upgrade." },
  429: {
    code: "rate_limited",
    says: "Too many requests from this caller: retry after `Retry-After` seconds.",
  },
  503: { code: "overloaded", says: "Too busy to take this now: retry after `Retry-After` seconds." },
} as const;
export type ErrorStatus = keyof typeof ERRORS;

const RETRY_AFTER = {
  "Retry-After": { description: "Seconds to wait.", schema: { type: "integer" as const } },
};
const HEADERS: Partial<Record<ErrorStatus, Record<string, { description: string; schema: object }>>> = {
  401: {
    "WWW-Authenticate": { description: 'Bearer realm="plant-based-pizza"', schema: { type: "string" } },
  },
  429: RETRY_AFTER,
  503: RETRY_AFTER,
};

/**
 * A route's own error: a status with the usual meaning (`404`), or statuses with what they mean here
 * (`{ 404: "No ticket for this order." }`), and with another code where the route answers one
 * (`{ 503: { code: "board_unavailable", says: "…" } }`).
 */
export type RouteError = ErrorStatus | Partial<Record<ErrorStatus, string | { code: string; says: string }>>;

/** Error responses in our shape, by status: `jsonError(404, 409)`, or as RouteError says. */
export function jsonError(...errors: RouteError[]) {
  const said: Partial<Record<ErrorStatus, string | { code: string; says: string }>> = {};
  for (const e of errors) Object.assign(said, typeof e === "object" ? e : { [e]: ERRORS[e].says });
  return Object.fromEntries(
    Object.entries(said).map(([status, meaning]) => {
      const { code, says: description } =
        typeof meaning === "string"
          ? { code: ERRORS[Number(status) as ErrorStatus].code, says: meaning }
          : meaning;
      return [
        status,
        {
          description: `\`${code}\`: ${description}`,
          ...(HEADERS[Number(status) as ErrorStatus]
            ? { headers: HEADERS[Number(status) as ErrorStatus] }
            : {}),
          content: {
            "application/json": {
              schema: ErrorBody,
              example: { error: code, message: description.replace(/`/g, "") },
            },
          },
        },
      ];
    }),
  );
}

/**
 * `true` when a declared schema's type is exactly `T`, the type the code answers with (a Durable Object's
 * view), else `false`: `true satisfies Declares<typeof BoardTicket, KitchenBoardTicket>` beside a
 * declaration fails the type-check the day either changes without the other.
 */
export type Declares<S extends z.ZodType, T> =
  (<U>() => U extends z.infer<S> ? 1 : 2) extends <U>() => U extends T ? 1 : 2 ? true : false;

/** A JSON response: `{ 200: json(Menu, "The menu.") }`. */
export function json<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}

/**
 * An order's id in a path. Any string routes (Hono params are strings); one that cannot be an order's
 * id is answered 404 like an unknown order, so it is documented, not validated, here.
 */
export const OrderIdParams = z.object({
  orderId: z.string().openapi({
    description: "The order's id, a UUID (what POST /orders answered).",
    example: "0b6a3c1e-2f4d-4e8a-9c1b-7d2e5f6a8b9c",
  }),
});

/** The security scheme every protected route names: an HS256 JWT carrying the subject and a role. */
export const BEARER_SCHEME = "bearer";
export const bearerScheme = {
  type: "http",
  scheme: "bearer",
  bearerFormat: "JWT",
  description:
    "An HS256 JWT with `sub`, `role` (customer, staff, operator, analyst) and `exp`. Locally: " +
    "`npm run token -- <id> --role <role>`. WebSockets, where a browser cannot set headers, offer it as " +
    "the subprotocol `bearer.<JWT>` beside `pizza-live.v1`.",
} as const;

/** Validation failures' `message`, for the whole request or per part of it (json, query, header…). */
export type InvalidMessage = string | Partial<Record<keyof ValidationTargets, string>>;

/**
 * Who may call a route: `"anyone"`, or a bearer token of one of these roles; and, optionally, the
 * `message` of the 400 its validation answers (else the app's default).
 */
export interface Access {
  roles: readonly Role[] | "anyone";
  invalid?: InvalidMessage;
}

const INVALID = Symbol("invalid message");

/**
 * A route of the public origin (createRoute's config, and what it adds): the statuses every route shares
 * are added (429 for all: each caller is rate limited; 401/403 and the bearer scheme for roles; 400 when
 * anything is validated; 413/415 for a JSON body), and the roles named in the description and as
 * `x-roles`. `errors` are the route's own (404, 409…), with the usual meaning or what they mean here.
 */
export function apiRoute<const R extends RouteConfig>(route: R, access: Access, ...errors: RouteError[]): R {
  const roles = access.roles === "anyone" ? undefined : access.roles;
  const body = route.request?.body !== undefined;
  // Path parameters are plain strings here (an id that cannot exist is a 404), so they never answer 400.
  const validated = body || route.request?.query || route.request?.headers;
  const shared: ErrorStatus[] = [
    ...(validated ? [400 as const] : []),
    ...(roles ? [401 as const, 403 as const] : []),
    ...(body ? [413 as const, 415 as const] : []),
    429,
  ];
  const who = roles ? `Role: ${roles.join(" or ")}.` : "Public: no token needed.";
  return createRoute({
    ...route,
    description: route.description ? `${route.description}\n\n${who}` : who,
    ...(roles ? { security: [{ [BEARER_SCHEME]: [] }], "x-roles": [...roles] } : { security: [] }),
    responses: { ...jsonError(...shared, ...errors), ...route.responses },
    // Kept beside the declaration for serve(); a symbol, so it is in no document.
    ...(access.invalid ? { [INVALID]: access.invalid } : {}),
  });
}

/** The subprotocol every live WebSocket speaks (JSON text messages from the server). */
export const LIVE_PROTOCOL = "pizza-live.v1";

/**
 * A WebSocket route: OpenAPI has none, so it is a GET answered `101 Switching Protocols`, with the
 * handshake headers as parameters and the messages the server sends as the 101's content (a 101 has no
 * body: the schema is that of each text message on the socket). `x-websocket` says so for tools.
 */
export function webSocketRoute<const R extends Omit<RouteConfig, "method" | "responses">>(
  route: R & { messages: z.ZodType; messagesSay: string },
  access: Access,
  ...errors: RouteError[]
) {
  const { messages, messagesSay, ...rest } = route;
  return apiRoute(
    {
      ...rest,
      method: "get",
      tags: rest.tags,
      description:
        `${rest.description ? `${rest.description}\n\n` : ""}A WebSocket. A browser offers the subprotocols ` +
        `\`["${LIVE_PROTOCOL}", "bearer.<JWT>"]\` (it cannot set headers); other clients may send ` +
        `\`Authorization: Bearer <JWT>\`. The server accepts \`${LIVE_PROTOCOL}\` and sends JSON text ` +
        `messages: ${messagesSay}`,
      parameters: [
        { name: "Upgrade", in: "header", required: true, schema: { type: "string", const: "websocket" } },
        {
          name: "Sec-WebSocket-Protocol",
          in: "header",
          required: false,
          description: `\`${LIVE_PROTOCOL}, bearer.<JWT>\``,
          schema: { type: "string" },
        },
      ],
      "x-websocket": { subprotocol: LIVE_PROTOCOL, direction: "server-to-client", format: "JSON text" },
      responses: {
        101: {
          description: `Switching Protocols to a WebSocket speaking \`${LIVE_PROTOCOL}\`. The content is the shape of each message the server sends.`,
          headers: {
            "Sec-WebSocket-Protocol": {
              description: "When the client offered it; a client that offered no subprotocol gets none.",
              schema: { type: "string", const: LIVE_PROTOCOL },
            },
          },
          content: { "application/json": { schema: messages } },
        },
      },
    } as const satisfies RouteConfig,
    access,
    426,
    ...errors,
  );
}

/** Answers a validation failure in our error shape (errors.ts), with `message` for the whole of it. */
export function invalid(message: InvalidMessage) {
  return (result: { success: boolean; error?: z.ZodError; target: keyof ValidationTargets }, c: Context) => {
    if (result.success || !result.error) return undefined;
    const said =
      typeof message === "string" ? message : (message[result.target] ?? "The request is not valid.");
    return errorResponse(c, 400, "validation_failed", said, zodIssues(result.error));
  };
}

/** For OpenAPIHono's `defaultHook`: our error shape rather than the library's. */
export const validationFailed = invalid({
  json: "The body is not valid.",
  query: "The query is not valid.",
  param: "The path is not valid.",
  header: "A header is not valid.",
});

/** The body must be JSON that parses: 415 or 400 in our shape, before zod sees it (json-body.ts). */
const jsonBody: MiddlewareHandler = async (c, next) => {
  const read = await readJsonBody(c);
  if (!read.ok) return read.response;
  await next();
};

/** A new app whose validation failures answer in our error shape. */
export function openApiApp<E extends HonoEnv>() {
  return new OpenAPIHono<E>({ defaultHook: validationFailed as never });
}

/** What a route's handler is given: the context typed by the route (params, `c.req.valid(...)`). */
export type RouteContext<R extends RouteConfig, E extends HonoEnv> = Parameters<RouteHandler<R, E>>[0];

/**
 * Serves a declared route on `app`: its input validated by the route's own schemas (a JSON body read by
 * readJsonBody first, so a body that is not JSON is the usual 415/400), failures in our shape. The
 * handler may answer any Response: the statuses it can answer are declared on the route for people,
 * not checked by the types (errorResponse's status is any error status).
 */
export function serve<E extends HonoEnv, const R extends RouteConfig>(
  app: OpenAPIHono<E>,
  route: R,
  handler: (c: RouteContext<R, E>) => Response | Promise<Response>,
) {
  const middleware = route.request?.body ? [jsonBody] : [];
  const message = (route as { [INVALID]?: InvalidMessage })[INVALID];
  app.openapi(
    { ...route, middleware } as R,
    handler as never,
    (message ? invalid(message) : undefined) as never,
  );
  return app;
}

/**
 * The same as a chain, middleware first, as Hono apps are written:
 * `routesOf(newRoutes()).use("*", requireRole("customer")).serve(route, async (c) => …).app`.
 */
export function routesOf<E extends HonoEnv>(app: OpenAPIHono<E>) {
  const chain = {
    app,
    use(path: string, ...middleware: MiddlewareHandler<any>[]) {
      app.use(path, ...middleware);
      return chain;
    },
    serve<const R extends RouteConfig>(
      route: R,
      handler: (c: RouteContext<R, E>) => Response | Promise<Response>,
    ) {
      serve(app, route, handler);
      return chain;
    },
  };
  return chain;
}

/** The routes `app` (and every OpenAPIHono app mounted in it) declared, as they are in its document. */
export function declaredRoutes(app: OpenAPIHono<any>): RouteConfig[] {
  return app.openAPIRegistry.definitions.flatMap((d) => (d.type === "route" ? [d.route] : []));
}

/**
 * The OpenAPI 3.1 document of these route declarations (an app's, and other apps' it serves, such as
 * the context APIs behind the gateway), with the bearer scheme.
 */
export function openApiDocument(
  routes: readonly RouteConfig[],
  info: { title: string; version: string; description: string },
  tags: { name: string; description: string }[],
) {
  const document = new OpenAPIHono();
  for (const { middleware: _, hide, ...route } of routes)
    if (!hide) document.openAPIRegistry.registerPath(route);
  document.openAPIRegistry.registerComponent("securitySchemes", BEARER_SCHEME, bearerScheme);
  return document.getOpenAPI31Document({ openapi: "3.1.0", info, tags });
}

/**
 * A staff board's two routes, declared alike for every context that keeps one (the kitchen's, the
 * drivers', the counter's: shared/durable/live-board.ts): `GET <path>` answering the board, and
 * `GET <path>/live`, a WebSocket sending `{ type: "board", board }` on connect and after every change.
 */
export function staffBoardRoutes<const B extends z.ZodType>(board: {
  path: string;
  tag: string;
  /** Whose board, for people: "The kitchen's board". */
  name: string;
  /** What it holds: "the tickets in hand". */
  holds: string;
  /** What leaves it, and where else to look. */
  description: string;
  schema: B;
  /** The 200 answer's description. */
  answers: string;
}) {
  const message = z.object({ type: z.literal("board"), board: board.schema });
  const list = apiRoute(
    {
      method: "get",
      path: board.path,
      tags: [board.tag],
      summary: `${board.name}: ${board.holds}`,
      description: board.description,
      responses: { 200: json(board.schema, board.answers) },
    },
    { roles: ["staff"] },
  );
  const live = webSocketRoute(
    {
      path: `${board.path}/live`,
      tags: [board.tag],
      summary: `${board.name}, live`,
      messages: message,
      messagesSay: `\`{ type: "board", board }\` (the body of GET ${board.path}) on connect and after every change.`,
    },
    { roles: ["staff"] },
  );
  return { list, live, message };
}
