import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { SHOP, type BoardCounterOrder } from "../../durable-objects/collection/counter-board";
import type { Principal } from "../../shared/auth/token";
import { createEvent } from "../../shared/events/envelope";
import { startTrace } from "../../shared/events/trace";
import worker from "../../workers/collection";
import { collectionApi } from "../../workers/collection/counter-api";
import { openLiveBoard } from "../support/live-board";
import { queueConsumer } from "../support/queue-batch";
import { CounterBoard, CounterBoardMessage } from "../../workers/collection/counter-api-routes";

/**
 * The counter's board (GET /collection/orders and its live feed): orders waiting at the counter, kept
 * by each CounterCollection through real queue batches and the counter's command, never moving back.
 */
const counterStaff: Principal = { id: "counter-1", role: "staff" };
const customer: Principal = { id: "customer-42", role: "customer" };
const board = () => env.COUNTER_BOARD.getByName(SHOP);
type Board = { orders: BoardCounterOrder[] };

const { deliver } = queueConsumer(worker, "collection-inbox");

const readyForCollection = () => {
  const orderId = crypto.randomUUID();
  return createEvent(
    "com.plantbasedpizza.order.ready-for-collection.v1",
    { orderId, customerId: "customer-42" },
    { traceparent: startTrace(), causationid: "quality-checked:test", subject: orderId },
  );
};

const call = (method: "GET" | "POST", path: string, principal: Principal = counterStaff) =>
  collectionApi.fetch(new Request(`https://pizza.test${path}`, { method }), { ...env, principal });
const collected = (orderId: string) => call("POST", `/collection/orders/${orderId}/collected`);

async function onBoard(orderId: string): Promise<BoardCounterOrder | undefined> {
  const res = await call("GET", "/collection/orders");
  expect(res.status).toBe(200);
  const body = await res.json<Board>();
  // What the board answers is what the contract declares (no field more, none missing or malformed).
  expect(CounterBoard.parse(body)).toEqual(body);
  return body.orders.find((o) => o.orderId === orderId);
}

describe("the counter's board", () => {
  it("lists an order waiting at the counter, and drops it once collected", async () => {
    const ready = readyForCollection();
    const { orderId } = ready.data;
    expect((await deliver(ready)).explicitAcks).toHaveLength(1);
    expect(await onBoard(orderId)).toEqual({
      orderId,
      status: "waiting-at-counter",
      readyAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect((await collected(orderId)).status).toBe(202);
    expect(await onBoard(orderId)).toBeUndefined();
  });

  it("never moves back, and catches up when a telling was lost", async () => {
    const ready = readyForCollection();
    const { orderId } = ready.data;
    const counter = env.COUNTER.getByName(orderId);
    // At the counter, but the board never heard: the harness's retry tells it.
    expect(await counter.putOnCounter(ready)).toBe("processed");
    expect(await onBoard(orderId)).toBeUndefined();
    expect((await deliver(ready, 2)).explicitAcks).toHaveLength(1);
    const waiting = (await counter.boardChange())!;
    expect((await onBoard(orderId))?.status).toBe("waiting-at-counter");
    expect(await board().update(waiting)).toBe("unchanged");

    // Collected, but the telling was lost: the counter staff repeat it.
    expect((await counter.collected()).ok).toBe(true);
    expect((await onBoard(orderId))?.status).toBe("waiting-at-counter");
    expect((await collected(orderId)).status).toBe(202);
    expect(await onBoard(orderId)).toBeUndefined();
    // The waiting state told late does not put it back.
    expect(await board().update(waiting)).toBe("stale");
    expect(await onBoard(orderId)).toBeUndefined();
  });

  it("needs the staff role; /collection/orders/live is the live board, 426 unless a WebSocket", async () => {
    for (const path of ["/collection/orders", "/collection/orders/live"]) {
      const res = await call("GET", path, customer);
      expect(res.status, path).toBe(403);
    }
    const res = await call("GET", "/collection/orders/live");
    expect(res.status).toBe(426);
    expect(await res.json()).toMatchObject({ error: "upgrade_required" });
  });

  it("goes live: the board on connect, and again when an order arrives and is collected", async () => {
    const live = await openLiveBoard<Env, Board>(collectionApi, "/collection/orders/live", env, counterStaff);
    expect(live.response.headers.get("Sec-WebSocket-Protocol")).toBe("pizza-live.v1");
    await live.next("the board on connect", () => true);
    const ready = readyForCollection();
    const { orderId } = ready.data;
    await deliver(ready);
    await live.next("the order at the counter", (b) => b.orders.some((o) => o.orderId === orderId));
    expect((await collected(orderId)).status).toBe(202);
    const gone = await live.next("the order collected", (b) => !b.orders.some((o) => o.orderId === orderId));
    expect(gone).toEqual({ type: "board", board: await board().board() });
    expect(CounterBoardMessage.parse(gone), "the message as declared").toEqual(gone);
    live.close();
  });
});
