import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { SHOP, type BoardDelivery } from "../../durable-objects/delivery/delivery-board";
import type { Principal } from "../../shared/auth/token";
import { createEvent } from "../../shared/events/envelope";
import { startTrace } from "../../shared/events/trace";
import worker from "../../workers/delivery";
import { deliveryApi } from "../../workers/delivery/drivers-api";
import { openLiveBoard } from "../support/live-board";
import { queueConsumer } from "../support/queue-batch";
import { DeliveryBoard, DeliveryBoardMessage } from "../../workers/delivery/drivers-api-routes";

/**
 * The drivers' board (GET /delivery/orders and its live feed): deliveries not yet delivered, kept by
 * each Delivery through real queue batches and the drivers' commands, never moving back.
 */
const driver: Principal = { id: "driver-1", role: "staff" };
const customer: Principal = { id: "customer-42", role: "customer" };
const board = () => env.DELIVERY_BOARD.getByName(SHOP);
type Board = { orders: BoardDelivery[] };

const { deliver } = queueConsumer(worker, "delivery-inbox");

const addressAdded = (customerId: string) =>
  createEvent(
    "com.plantbasedpizza.customer.address-added.v1",
    {
      customerId,
      addressId: "home",
      line1: "1 Basil Row",
      city: "Leeds",
      postcode: "LS1 4AP",
      country: "GB",
      addedAt: new Date().toISOString(),
    },
    { traceparent: startTrace(), causationid: "add-address:test", subject: customerId },
  );

const readyForDelivery = (customerId: string) => {
  const orderId = crypto.randomUUID();
  return createEvent(
    "com.plantbasedpizza.order.ready-for-delivery.v1",
    { orderId, customerId, deliveryAddressId: "home" },
    { traceparent: startTrace(), causationid: "quality-checked:test", subject: orderId },
  );
};

const call = (method: "GET" | "POST", path: string, principal: Principal = driver, body?: unknown) =>
  deliveryApi.fetch(
    new Request(`https://pizza.test${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { "Content-Type": "application/json" } }),
    }),
    { ...env, principal },
  );
const step = (orderId: string, name: string, body?: unknown) =>
  call("POST", `/delivery/orders/${orderId}/${name}`, driver, body);

async function onBoard(orderId: string): Promise<BoardDelivery | undefined> {
  const res = await call("GET", "/delivery/orders");
  expect(res.status).toBe(200);
  const body = await res.json<Board>();
  // What the board answers is what the contract declares (no field more, none missing or malformed).
  expect(DeliveryBoard.parse(body)).toEqual(body);
  return body.orders.find((o) => o.orderId === orderId);
}

/** A customer with an address in delivery's copy, and their order ready for delivery (not yet delivered to the consumer). */
async function readyOrder() {
  const customerId = `customer-${crypto.randomUUID()}`;
  await deliver(addressAdded(customerId));
  const ready = readyForDelivery(customerId);
  return { ready, orderId: ready.data.orderId };
}

describe("the drivers' board", () => {
  it("lists a delivery waiting for a driver, moves it with each driver step, drops it once delivered", async () => {
    const { ready, orderId } = await readyOrder();
    expect((await deliver(ready)).explicitAcks).toHaveLength(1);
    const opened = await onBoard(orderId);
    expect(opened).toEqual({
      orderId,
      status: "waiting-for-driver",
      openedAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    // No address on the board: a driver reads it from the delivery they take.
    expect(JSON.stringify(opened)).not.toContain("Basil");

    expect((await step(orderId, "driver", { driverId: "driver-7" })).status).toBe(202);
    expect(await onBoard(orderId)).toMatchObject({ status: "driver-assigned", driver: "driver-7" });
    expect((await step(orderId, "collected-by-driver")).status).toBe(202);
    expect(await onBoard(orderId)).toMatchObject({ status: "out-for-delivery", driver: "driver-7" });
    expect((await step(orderId, "delivered")).status).toBe(202);
    expect(await onBoard(orderId)).toBeUndefined();
  });

  it("shows nothing for an order whose address has not reached delivery's copy yet", async () => {
    const ready = readyForDelivery(`customer-${crypto.randomUUID()}`);
    expect((await deliver(ready)).retryMessages).toHaveLength(1);
    expect(await onBoard(ready.data.orderId)).toBeUndefined();
  });

  it("never moves back, and catches up when a telling was lost", async () => {
    const { ready, orderId } = await readyOrder();
    // Delivery opened it, but the board never heard: the harness's retry tells it.
    const delivery = env.DELIVERIES.getByName(orderId);
    expect(await delivery.openDelivery(ready)).toBe("processed");
    expect(await onBoard(orderId)).toBeUndefined();
    expect((await deliver(ready, 2)).explicitAcks).toHaveLength(1);
    const waiting = (await delivery.boardChange())!;
    expect((await onBoard(orderId))?.status).toBe("waiting-for-driver");

    // A step whose telling was lost: the driver repeats it.
    expect((await delivery.assignDriver("driver-7")).ok).toBe(true);
    expect((await onBoard(orderId))?.status).toBe("waiting-for-driver");
    expect((await step(orderId, "driver", { driverId: "driver-7" })).status).toBe(202);
    const assigned = await onBoard(orderId);
    expect(assigned?.status).toBe("driver-assigned");

    // The waiting state told late, and the assigned one told again, change nothing.
    expect(await board().update(waiting)).toBe("stale");
    expect(await board().update((await delivery.boardChange())!)).toBe("unchanged");
    expect(await onBoard(orderId)).toEqual(assigned);
  });

  it("needs the staff role; /delivery/orders/live is the live board, 426 unless a WebSocket", async () => {
    for (const path of ["/delivery/orders", "/delivery/orders/live"]) {
      const res = await call("GET", path, customer);
      expect(res.status, path).toBe(403);
    }
    const res = await call("GET", "/delivery/orders/live");
    expect(res.status).toBe(426);
    expect(await res.json()).toMatchObject({ error: "upgrade_required" });
  });

  it("goes live: the board on connect, and again after a driver's step", async () => {
    const { ready, orderId } = await readyOrder();
    await deliver(ready);
    const live = await openLiveBoard<Env, Board>(deliveryApi, "/delivery/orders/live", env, driver);
    expect(live.response.headers.get("Sec-WebSocket-Protocol")).toBe("pizza-live.v1");
    const first = await live.next("the board on connect", () => true);
    expect(first.board.orders.find((o) => o.orderId === orderId)?.status).toBe("waiting-for-driver");
    expect((await step(orderId, "driver", { driverId: "driver-9" })).status).toBe(202);
    const moved = await live.next("the driver assigned", (b) =>
      b.orders.some((o) => o.orderId === orderId && o.driver === "driver-9"),
    );
    expect(moved).toEqual({ type: "board", board: await board().board() });
    expect(DeliveryBoardMessage.parse(moved), "the message as declared").toEqual(moved);
    live.close();
  });
});
