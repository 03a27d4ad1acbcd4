import { Hono } from "hono";
import type { AuthVariables } from "../../../shared/http/auth";

/** The Hono app type shared by the orders worker's route modules. */
export type OrdersApp = { Bindings: Env; Variables: AuthVariables & { traceparent: string } };
export const newRoutes = () => new Hono<OrdersApp>();
