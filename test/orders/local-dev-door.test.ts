import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { mintToken } from "../../shared/auth/token";

/**
 * Nobody can put a hand-made event on the bus in a deployed system: the operators' old door is gone,
 * and the local door the tests use (POST /dev/bus/events, workers/orders/api/local-dev.ts) exists only
 * in a build made by `wrangler dev`. This project's build is not one (shared/local-life.ts), so it
 * answers like a deploy. That the door works locally is shown by test/e2e/events-on-the-bus.test.ts.
 */
const event = {
  specversion: "1.0",
  id: crypto.randomUUID(),
  source: "/contexts/orders",
  type: "com.plantbasedpizza.payments.refund-payment.v1",
  data: { orderId: crypto.randomUUID(), reason: "give me my money" },
};

async function post(path: string) {
  const token = await mintToken(env.JWT_SECRET, "operator-1", "operator");
  return exports.default.fetch(
    new Request(`https://pizza.test${path}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify(event),
    }),
  );
}

describe("putting an event on the bus by hand", () => {
  it.each(["/ops/bus/events", "/dev/bus/events"])(
    "is not possible outside local life: %s is 404",
    async (path) => {
      const res = await post(path);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: "not_found" });
    },
  );
});
