import { WorkerEntrypoint } from "cloudflare:workers";
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Hono, MiddlewareHandler } from "hono";
import { Role, type Principal } from "../auth/token";
import { errorResponse, exceptionResponse } from "./errors";
import { PRINCIPAL_HEADER } from "./live";
import { openApiApp } from "./openapi";

/**
 * Each context's thin API (kitchen staff, drivers, counter, customers' addresses, loyalty,
 * analytics) is served under the one public origin by the edge gateway (the orders worker): the
 * gateway verifies the bearer token once and calls the context's worker over a service binding (RPC)
 * with the verified principal. Context workers have no public route, so that RPC call is the only
 * way in; each context still decides for itself which roles may use which endpoint.
 */
export type ContextApiEnv<E> = { Bindings: E & { principal: Principal } };

export function contextApi<E>(name: string): OpenAPIHono<ContextApiEnv<E>> {
  // Routes are declared with their schemas (shared/http/openapi.ts) for the public origin's document.
  const api = openApiApp<ContextApiEnv<E>>();
  api
    .notFound((c) =>
      errorResponse(c, 404, "not_found", `No route for ${c.req.method} ${new URL(c.req.url).pathname}.`),
    )
    .onError((error, c) => {
      const refused = exceptionResponse(c, error);
      if (refused) return refused;
      console.log({ at: `${name}-api`, outcome: "error", method: c.req.method, reason: error.message });
      return errorResponse(c, 500, "internal_error", "Something went wrong; it has been logged.");
    });
  return api;
}

/** Only these roles may use the routes behind it: 403 for any other (authenticated) principal. */
export function allowRoles<E>(...roles: Role[]): MiddlewareHandler<ContextApiEnv<E>> {
  return async (c, next) => {
    if (!roles.includes(c.env.principal.role)) {
      return errorResponse(c, 403, "forbidden", `This endpoint needs the ${roles.join(" or ")} role.`);
    }
    await next();
  };
}

/** What the gateway calls (typed view of a context's entrypoint over a service binding). */
export interface ContextApiService {
  handle(request: Request, principal: Principal): Promise<Response>;
}

/**
 * A context's API behind a service binding. `wrangler types` cannot see another worker's entrypoint,
 * so it types the binding as a bare `Service`; this is the one place that names the shape instead.
 */
export function contextApiService(binding: Service): ContextApiService {
  return binding as unknown as ContextApiService;
}

/** A context's named entrypoint; bind it with `entrypoint = "<Name>"` in the gateway's [[services]]. */
export abstract class ContextEntrypoint<E> extends WorkerEntrypoint<E> implements ContextApiService {
  protected abstract readonly api: Hono<ContextApiEnv<E>>;

  async handle(request: Request, principal: Principal): Promise<Response> {
    return this.api.fetch(request, { ...this.env, principal }, this.ctx);
  }

  /**
   * Live views: a Response carrying a WebSocket cannot come back over RPC, so the gateway sends an
   * upgrade here, over the service binding's fetch, with the principal it verified in a header
   * (shared/http/live.ts). Only service bindings reach this entrypoint, so the header is the gateway's.
   */
  override async fetch(request: Request): Promise<Response> {
    const principal = principalIn(request.headers.get(PRINCIPAL_HEADER));
    if (!principal)
      return Response.json({ error: "unauthorized", message: "No principal." }, { status: 401 });
    return this.handle(request, principal);
  }
}

function principalIn(header: string | null): Principal | undefined {
  try {
    const { id, role } = JSON.parse(header ?? "null") as Partial<Principal>;
    return typeof id === "string" && id && Role.safeParse(role).success ? { id, role: role! } : undefined;
  } catch {
    return undefined;
  }
}
