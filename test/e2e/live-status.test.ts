import { describe, expect, inject, it } from "vitest";
import { pizzaClient, uniqueId } from "../support/pizza-client";

/**
 * The whole system as `npm run dev` starts it (simulated staff on): a customer watches an order and
 * their points over WebSockets, as the storefront does, without polling the HTTP API.
 */
const baseUrl = inject("simulatedBaseUrl");
const pizza = pizzaClient(baseUrl);

/**
 * A live view as a browser opens one (Node 22's WebSocket is the browser's): the token as a subprotocol.
 * `until` waits, with a deadline, for a message that satisfies it.
 */
async function openLive<M>(path: string, token: string) {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, "ws")}${path}`, ["pizza-live.v1", `bearer.${token}`]);
  const messages: M[] = [];
  let failed: unknown;
  ws.addEventListener("message", (e) => messages.push(JSON.parse(String(e.data)) as M));
  ws.addEventListener("error", (e) => (failed = e));
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener("open", () => resolve(), { once: true });
    ws.addEventListener("error", () => reject(new Error(`${path}: the socket did not open`)), { once: true });
  });
  const until = async (what: string, predicate: (m: M) => boolean, timeoutMs = 90_000): Promise<M> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = messages.find(predicate);
      if (found) return found;
      if (failed || ws.readyState === WebSocket.CLOSED) throw new Error(`${path} closed waiting for ${what}`);
      if (Date.now() > deadline)
        throw new Error(
          `${path}: ${what} did not arrive in ${timeoutMs} ms; got ${JSON.stringify(messages)}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  return { ws, messages, until };
}

type OrderMessage = {
  type: "order";
  order: { orderId: string; status: string; total: { amount: number }; story: { says: string }[] };
};
type LoyaltyMessage = {
  type: "loyalty";
  account: { customerId: string; points: number; awards: { orderId: string; points: number }[] };
};

describe("live order status and points", () => {
  it("pushes every step of a collection order, with its story, then the points it earned", async () => {
    const customerId = uniqueId("lena");
    const token = await pizza.token(customerId);
    const points = await openLive<LoyaltyMessage>("/loyalty/me/live", token);
    expect(points.ws.protocol).toBe("pizza-live.v1");
    expect(await points.until("the account", () => true)).toEqual({
      type: "loyalty",
      account: { customerId, points: 0, awards: [] },
    });

    const placed = await pizza.submitOrder(token, {
      items: [{ recipeId: "funghi", quantity: 2 }],
      fulfilment: "collection",
    });
    expect(placed.status).toBe(202);
    const { orderId } = placed.body as { orderId: string };
    const live = await openLive<OrderMessage>(`/orders/${orderId}/live`, token);
    expect(live.ws.protocol).toBe("pizza-live.v1");

    const completed = await live.until("the completed order", (m) => m.order.status === "completed");
    // It watched the order move: views before the last one, each the same order.
    expect(live.messages.length).toBeGreaterThan(1);
    expect(new Set(live.messages.map((m) => m.order.orderId))).toEqual(new Set([orderId]));
    expect(completed.order.story.map((s) => s.says)).toEqual([
      "Order placed",
      "Payment taken",
      "Order confirmed",
      "Preparation started",
      "Pizza baked",
      "Quality checked",
      "Ready for collection",
      "Collected",
      "Completed",
    ]);

    const awarded = await points.until("the order's points", (m) =>
      m.account.awards.some((a) => a.orderId === orderId),
    );
    const earned = Math.floor(completed.order.total.amount / 100);
    expect(awarded.account).toEqual({
      customerId,
      points: earned,
      awards: [expect.objectContaining({ orderId, points: earned })],
    });
    live.ws.close(1000, "done");
    points.ws.close(1000, "done");
  });

  it("refuses a socket to another customer's order", async () => {
    const owner = await pizza.token(uniqueId("owner"));
    const { body } = await pizza.submitOrder(owner, {
      items: [{ recipeId: "margherita", quantity: 1 }],
      fulfilment: "collection",
    });
    const other = await pizza.token(uniqueId("other"));
    await expect(openLive(`/orders/${(body as { orderId: string }).orderId}/live`, other)).rejects.toThrow(
      /did not open/,
    );
  });
});
