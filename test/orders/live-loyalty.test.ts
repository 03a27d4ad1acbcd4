import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { mintToken, type Role } from "../../shared/auth/token";

/**
 * GET /loyalty/me/live through the edge gateway to the real loyalty worker (its bundle): the gateway
 * reads the token from the subprotocol and hands the upgrade to the loyalty entrypoint's `fetch` (a
 * WebSocket cannot come back over RPC), whose LoyaltyAccount accepts the socket.
 */
const api = (path: string, init?: RequestInit) =>
  exports.default.fetch(new Request(`https://pizza.test${path}`, init));
const tokenFor = (who: string, role: Role = "customer") => mintToken(env.JWT_SECRET, who, role);
const upgrade = (token?: string, headers: Record<string, string> = {}) => ({
  headers: {
    Upgrade: "websocket",
    "Sec-WebSocket-Protocol": ["pizza-live.v1", ...(token ? [`bearer.${token}`] : [])].join(", "),
    ...headers,
  },
});

/** The first message the socket gets, within a deadline. */
function firstMessage(ws: WebSocket, timeoutMs = 10_000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no message arrived")), timeoutMs);
    ws.addEventListener("message", (e) => {
      clearTimeout(timer);
      resolve(JSON.parse(e.data as string));
    });
    ws.accept();
  });
}

describe("live points through the gateway", { timeout: 30_000 }, () => {
  it("opens the caller's own account, with the live protocol echoed", async () => {
    const customerId = `customer-${crypto.randomUUID()}`;
    // A principal header from the client is no one's word: the gateway sets its own.
    const res = await api(
      "/loyalty/me/live",
      upgrade(await tokenFor(customerId), {
        "X-Pizza-Principal": JSON.stringify({ id: "someone-else", role: "customer" }),
      }),
    );
    expect(res.status).toBe(101);
    expect(res.headers.get("Sec-WebSocket-Protocol")).toBe("pizza-live.v1");
    expect(res.headers.get("traceparent")).toMatch(/^00-/);
    const ws = res.webSocket!;
    expect(await firstMessage(ws)).toEqual({
      type: "loyalty",
      account: { customerId, points: 0, awards: [] },
    });
    ws.close(1000, "done");
  });

  it("answers 401 without a token, 403 to staff and 426 to a plain GET", async () => {
    const none = await api("/loyalty/me/live", upgrade());
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ error: "unauthorized" });
    const forged = await api("/loyalty/me/live", upgrade("not.a.token"));
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ issues: [{ field: "Sec-WebSocket-Protocol" }] });
    const staff = await api("/loyalty/me/live", upgrade(await tokenFor("cook", "staff")));
    expect(staff.status).toBe(403);
    expect(await staff.json()).toMatchObject({ error: "forbidden" });
    const plain = await api("/loyalty/me/live", {
      headers: { Authorization: `Bearer ${await tokenFor("amara")}` },
    });
    expect(plain.status).toBe(426);
    expect(await plain.json()).toMatchObject({ error: "upgrade_required" });
  });

  it("keeps every other context route as it was: a plain GET /loyalty/me with Authorization", async () => {
    const customerId = `customer-${crypto.randomUUID()}`;
    const res = await api("/loyalty/me", {
      headers: { Authorization: `Bearer ${await tokenFor(customerId)}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ customerId, points: 0, awards: [] });
  });
});
