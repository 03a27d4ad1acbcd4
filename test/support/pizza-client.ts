import { devJwtSecret } from "../../scripts/dev-secret";
import { mintToken, type Role } from "../../shared/auth/token";
import { waitFor } from "./wait-for";

/** A small HTTP client for the public API, as a customer, staff member or operator would use it. */
export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export function pizzaClient(baseUrl: string) {
  const secret = devJwtSecret();

  async function call<T = any>(
    method: string,
    path: string,
    init: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Reply<T>> {
    const headers: Record<string, string> = { ...init.headers };
    if (init.token) headers.Authorization = `Bearer ${init.token}`;
    if (init.body !== undefined && !headers["Content-Type"]) headers["Content-Type"] = "application/json";
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body:
        init.body === undefined
          ? undefined
          : typeof init.body === "string"
            ? init.body
            : JSON.stringify(init.body),
    });
    const text = await res.text();
    let body: any = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      /* keep the text */
    }
    return { status: res.status, headers: res.headers, body };
  }

  return {
    call,
    token: (subject: string, role: Role = "customer") => mintToken(secret, subject, role),
    submitOrder: (token: string, body: unknown, idempotencyKey?: string) =>
      call("POST", "/orders", {
        token,
        body,
        headers: idempotencyKey ? { "Idempotency-Key": idempotencyKey } : {},
      }),
    order: (token: string, orderId: string) => call("GET", `/orders/${orderId}`, { token }),
    orderEvents: (token: string, orderId: string) =>
      call<{ events: any[] }>("GET", `/orders/${orderId}/events`, { token }),
    cancelOrder: (token: string, orderId: string) => call("POST", `/orders/${orderId}/cancel`, { token }),
    /** A staff command, e.g. staff(cook, `/kitchen/tickets/${id}/start-preparing`). */
    staff: (token: string, path: string, body?: unknown) =>
      call("POST", path, { token, ...(body === undefined ? {} : { body }) }),
    addAddress: (token: string, address: unknown) =>
      call("POST", "/customers/me/addresses", { token, body: address }),
    loyalty: (token: string) => call("GET", "/loyalty/me", { token }),
    revenue: (token: string, day: string) =>
      call<{
        revenue: {
          day: string;
          currency: string;
          amount: number;
          net: number;
          tax: number;
          orders: number;
        }[];
      }>("GET", `/analytics/revenue?from=${day}&to=${day}`, { token }),
    deadLetters: (token: string) => call<{ deadLetters: any[] }>("GET", "/ops/dead-letters", { token }),
    putOnBus: (token: string, event: unknown) => call("POST", "/dev/bus/events", { token, body: event }),
    /** Polls the order until `predicate` holds, returning the order. */
    waitForOrder: (
      token: string,
      orderId: string,
      what: string,
      predicate: (order: any) => boolean,
      timeoutMs = 30_000,
    ) =>
      waitFor(
        `order ${orderId} ${what}`,
        async () => {
          const r = await call("GET", `/orders/${orderId}`, { token });
          return r.status === 200 && predicate(r.body) ? r.body : undefined;
        },
        { timeoutMs, intervalMs: 200 },
      ),
  };
}

export const uniqueId = (prefix: string) => `${prefix}-${crypto.randomUUID()}`;
