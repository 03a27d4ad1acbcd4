/// <reference types="vite/client" />
import { env, exports } from "cloudflare:workers";
import { parse } from "smol-toml";
import { describe, expect, it } from "vitest";
import { mintToken, type Role } from "../../shared/auth/token";
import { RATE_LIMITS } from "../../workers/orders/api/rate-limits";
import wranglerToml from "../../wrangler.toml?raw";

/**
 * The public API's limits per caller, on the real (local) Rate Limiting bindings: a caller over the
 * limit gets 429 with Retry-After and the JSON error, and nobody else notices.
 *
 * Locally the limiter counts in windows aligned to the clock (miniflare's RateLimiterObject), so a burst
 * that happens to cross a window's end starts counting afresh: such a burst is run again, by a new
 * caller, rather than asserted on.
 */
const api = (path: string, init?: RequestInit) =>
  exports.default.fetch(new Request(`https://pizza.test${path}`, init));
const newCaller = (role: Role = "customer") =>
  mintToken(env.JWT_SECRET, `${role}-${crypto.randomUUID()}`, role);
const as = (token: string, method = "GET"): RequestInit => ({
  method,
  headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
  body: method === "GET" ? undefined : "{}",
});

// Cheap on purpose: a command the API refuses (400) and a read of no order (404) count all the same.
const command = (token: string) => api("/orders", as(token, "POST"));
const read = (token: string) => api("/orders/not-an-order", as(token));
const readTicket = (token: string) => api(`/kitchen/tickets/${crypto.randomUUID()}`, as(token));

type Binding = keyof typeof RATE_LIMITS;
const windowOf = (binding: Binding) => Math.floor(Date.now() / (RATE_LIMITS[binding].periodSeconds * 1000));

/**
 * Spends a new caller's whole budget (`limit` requests, none refused) inside one window, then makes one
 * request more: what the limiter answered it. Another caller is made if a window ended mid-burst.
 */
async function overTheLimit<C>(
  binding: Binding,
  request: (caller: C) => Promise<Response>,
  newCallerOf: () => Promise<C>,
) {
  for (let attempt = 1; attempt <= 3; attempt++) {
    const caller = await newCallerOf();
    const started = windowOf(binding);
    const answers: number[] = [];
    for (let i = 0; i < RATE_LIMITS[binding].limit; i++) answers.push((await request(caller)).status);
    const refused = await request(caller);
    if (windowOf(binding) !== started) continue;
    expect(answers).not.toContain(429);
    return { caller, refused };
  }
  throw new Error("every burst crossed a window's end");
}

describe("the rate limits", () => {
  it("are the ones wrangler.toml gives the bindings", () => {
    const config = parse(wranglerToml) as {
      ratelimits: { name: string; simple: { limit: number; period: number } }[];
    };
    const configured = Object.fromEntries(
      config.ratelimits.map((r) => [r.name, { limit: r.simple.limit, periodSeconds: r.simple.period }]),
    );
    for (const [binding, rule] of Object.entries(RATE_LIMITS)) {
      expect(configured[binding], binding).toEqual({ limit: rule.limit, periodSeconds: rule.periodSeconds });
    }
  });

  it("answer a customer's command over the limit with 429, Retry-After and the JSON error", async () => {
    const { limit, periodSeconds } = RATE_LIMITS.COMMAND_RATE_LIMIT;
    const { refused } = await overTheLimit("COMMAND_RATE_LIMIT", command, newCaller);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("Retry-After")).toBe(String(periodSeconds));
    expect(refused.headers.get("traceparent")).toBeTruthy();
    expect(await refused.json()).toEqual({
      error: "rate_limited",
      message: `Too many commands: try again in ${periodSeconds} seconds.`,
      issues: [
        {
          field: "Authorization",
          reason: expect.stringMatching(
            new RegExp(`^more than ${limit} commands in ${periodSeconds} seconds`),
          ),
        },
      ],
    });
  });

  it("leave everyone else alone: other customers, and the same customer's reads", async () => {
    const { caller, refused } = await overTheLimit("COMMAND_RATE_LIMIT", command, newCaller);
    expect(refused.status).toBe(429);
    const someoneElse = await newCaller();
    expect((await command(someoneElse)).status).toBe(400);
    expect((await read(someoneElse)).status).toBe(404);
    expect((await api("/menu")).status).toBe(200);
    // Reads are counted apart from commands.
    expect((await read(caller)).status).toBe(404);
    expect((await command(caller)).status).toBe(429);
  });

  it("count reads too, per caller whatever their role, through the gateway too", async () => {
    const { refused } = await overTheLimit("READ_RATE_LIMIT", readTicket, () => newCaller("staff"));
    expect(refused.status).toBe(429);
    expect(refused.headers.get("Retry-After")).toBe(String(RATE_LIMITS.READ_RATE_LIMIT.periodSeconds));
    expect((await readTicket(await newCaller("staff"))).status).toBe(404);
  });

  it("count requests without a valid token by address, never against a customer", async () => {
    // Signed with another secret: the token names nobody, so the caller is the client's address.
    const forged = await mintToken("not-the-secret", "alice");
    const from = (address: string) =>
      api("/orders", {
        method: "POST",
        headers: { Authorization: `Bearer ${forged}`, "cf-connecting-ip": address },
      });
    const { refused } = await overTheLimit(
      "COMMAND_RATE_LIMIT",
      from,
      async () => `2001:db8:ffff::${crypto.randomUUID().slice(0, 4)}`,
    );
    expect(refused.status).toBe(429);
    expect((await refused.json<{ issues: { field: string }[] }>()).issues[0]!.field).toBe("cf-connecting-ip");
    expect((await from("2001:db8:ffff::1:1")).status).toBe(401);
    expect((await command(await newCaller())).status).toBe(400);
  });
});
