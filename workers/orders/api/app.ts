import type { AuthVariables } from "../../../shared/http/auth";
import { openApiApp } from "../../../shared/http/openapi";

/** The Hono app type shared by the orders worker's route modules. */
export type OrdersApp = { Bindings: Env; Variables: AuthVariables & { traceparent: string } };
/** Routes declared with their schemas (shared/http/openapi.ts), so they are in GET /openapi.json. */
export const newRoutes = () => openApiApp<OrdersApp>();
