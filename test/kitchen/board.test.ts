import { env } from "cloudflare:workers";
import { createExecutionContext, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { KITCHEN, type BoardTicket, type KitchenBoard } from "../../durable-objects/kitchen/kitchen-board";
import type { Principal } from "../../shared/auth/token";
import { createEvent } from "../../shared/events/envelope";
import { startTrace } from "../../shared/events/trace";
import worker, { KitchenApi } from "../../workers/kitchen";
import { kitchenApi } from "../../workers/kitchen/staff-api";
import { CATERING_LINES, cateringOrderConfirmed } from "../support/catering";
import { exampleData } from "../support/example-events";
import { openLiveBoard } from "../support/live-board";
import { queueConsumer } from "../support/queue-batch";
import { KitchenBoard as DeclaredBoard, KitchenBoardMessage } from "../../workers/kitchen/staff-api-routes";

/**
 * The kitchen's board (GET /kitchen/tickets and its live feed): the open tickets, kept by the tickets
 * themselves through real queue batches and staff commands, never moving back.
 */
const cook: Principal = { id: "cook-1", role: "staff" };
const alice: Principal = { id: "alice", role: "customer" };
const board = () => env.KITCHEN_BOARD.getByName(KITCHEN);
type Board = { tickets: BoardTicket[] };

const cause = (orderId: string) => ({ traceparent: startTrace(), causationid: "test", subject: orderId });
const orderConfirmed = (orderId = crypto.randomUUID()) =>
  createEvent(
    "com.plantbasedpizza.order.confirmed.v2",
    { ...exampleData("com.plantbasedpizza.order.confirmed.v2"), orderId },
    cause(orderId),
  );
const orderCancelled = (orderId: string) =>
  createEvent(
    "com.plantbasedpizza.order.cancelled.v1",
    { orderId, customerId: "c", reason: "cancelled by the customer", cancelledAt: new Date().toISOString() },
    cause(orderId),
  );

const { deliver } = queueConsumer(worker, "kitchen-inbox");

const call = (method: "GET" | "POST", path: string, principal: Principal = cook) =>
  kitchenApi.fetch(new Request(`https://pizza.test${path}`, { method }), { ...env, principal });
const step = (orderId: string, name: string) => call("POST", `/kitchen/tickets/${orderId}/${name}`);

/** The board's row for one order, as GET /kitchen/tickets answers it. */
async function onBoard(orderId: string): Promise<BoardTicket | undefined> {
  const res = await call("GET", "/kitchen/tickets");
  expect(res.status).toBe(200);
  const body = await res.json<Board>();
  // What the board answers is what the contract declares (no field more, none missing or malformed).
  expect(DeclaredBoard.parse(body)).toEqual(body);
  return body.tickets.find((t) => t.orderId === orderId);
}

describe("the kitchen's board", () => {
  it("lists an opened ticket with its items, moves it with each staff step, drops it once checked", async () => {
    const confirmed = orderConfirmed();
    const { orderId } = confirmed.data;
    expect(await onBoard(orderId)).toBeUndefined();
    expect((await deliver(confirmed)).explicitAcks).toHaveLength(1);
    const opened = await onBoard(orderId);
    expect(opened).toEqual({
      orderId,
      status: "waiting",
      items: [
        { recipeId: "margherita", name: "Margherita", quantity: 1 },
        { recipeId: "verdure", name: "Verdure", quantity: 1 },
      ],
      hasNotes: false,
      openedAt: expect.any(String),
      updatedAt: expect.any(String),
    });

    expect((await step(orderId, "start-preparing")).status).toBe(202);
    expect(await onBoard(orderId)).toMatchObject({ status: "preparing", openedAt: opened!.openedAt });
    expect((await step(orderId, "pizza-baked")).status).toBe(202);
    expect((await onBoard(orderId))?.status).toBe("baked");
    expect((await step(orderId, "quality-checked")).status).toBe(202);
    expect(await onBoard(orderId)).toBeUndefined();
  });

  it("sums a catering order's lines per recipe, so the board stays small, and says it has notes", async () => {
    const catering = cateringOrderConfirmed();
    const orderId = crypto.randomUUID();
    const confirmed = { ...catering, subject: orderId, data: { ...catering.data, orderId } };
    expect((await deliver(confirmed)).explicitAcks).toHaveLength(1);
    const row = await onBoard(orderId);
    expect(row).toMatchObject({
      items: [{ recipeId: "margherita", name: "Margherita", quantity: CATERING_LINES }],
      hasNotes: true,
    });
    expect(JSON.stringify(row).length).toBeLessThan(1_000);
  });

  it("drops a withdrawn ticket, and a cancellation that overtook the order never shows it", async () => {
    const confirmed = orderConfirmed();
    const { orderId } = confirmed.data;
    await deliver(confirmed);
    expect((await onBoard(orderId))?.status).toBe("waiting");
    await deliver(orderCancelled(orderId));
    expect(await onBoard(orderId)).toBeUndefined();

    const late = crypto.randomUUID();
    await deliver(orderCancelled(late));
    await deliver(orderConfirmed(late));
    expect(await onBoard(late)).toBeUndefined();
  });

  it("drops a ticket the customer withdrew before a cook started", async () => {
    const confirmed = orderConfirmed();
    const { orderId } = confirmed.data;
    await deliver(confirmed);
    expect((await onBoard(orderId))?.status).toBe("waiting");
    // What the orders worker calls over its service binding when the customer cancels.
    const kitchen = new KitchenApi(createExecutionContext(), env);
    const outcome = await kitchen.withdrawBeforeStart(orderId, "cancelled by the customer", {
      traceparent: startTrace(),
      causationid: `cancel-order:${orderId}`,
    });
    expect(outcome.ok).toBe(true);
    expect(await onBoard(orderId)).toBeUndefined();
  });

  it("never moves back: a late or repeated update is ignored, whatever order they arrive in", async () => {
    const confirmed = orderConfirmed();
    const { orderId } = confirmed.data;
    await deliver(confirmed);
    const ticket = env.KITCHEN_TICKETS.getByName(orderId);
    const waiting = (await ticket.boardChange())!;
    expect((await step(orderId, "start-preparing")).status).toBe(202);
    const preparing = await onBoard(orderId);
    expect(preparing?.status).toBe("preparing");

    // The waiting state, told late (a slow handler), and the preparing one told again (a retry).
    expect(await board().update(waiting)).toBe("stale");
    expect(await board().update((await ticket.boardChange())!)).toBe("unchanged");
    expect(await onBoard(orderId)).toEqual(preparing);
    // The same event delivered again, and the same step repeated, change nothing either.
    expect((await deliver(confirmed)).explicitAcks).toHaveLength(1);
    expect((await step(orderId, "start-preparing")).status).toBe(202);
    expect(await onBoard(orderId)).toEqual(preparing);

    // Once done, a late update from an earlier step cannot bring it back.
    expect((await step(orderId, "pizza-baked")).status).toBe(202);
    expect((await step(orderId, "quality-checked")).status).toBe(202);
    expect(await board().update(waiting)).toBe("stale");
    expect(await onBoard(orderId)).toBeUndefined();
  });

  it("catches up when a telling was lost: the retried event or the repeated step tells it again", async () => {
    // The ticket applied the event but the board never heard (the handler died before telling it).
    const confirmed = orderConfirmed();
    const { orderId } = confirmed.data;
    const ticket = env.KITCHEN_TICKETS.getByName(orderId);
    expect(await ticket.openTicket(confirmed)).toBe("processed");
    expect(await onBoard(orderId)).toBeUndefined();
    // The harness retries it: the ticket answers duplicate, and the board is told all the same.
    expect((await deliver(confirmed, 2)).explicitAcks).toHaveLength(1);
    expect((await onBoard(orderId))?.status).toBe("waiting");

    // A step the ticket took whose telling was lost: the cook repeats it.
    expect((await ticket.startPreparing()).ok).toBe(true);
    expect((await onBoard(orderId))?.status).toBe("waiting");
    expect((await step(orderId, "start-preparing")).status).toBe(202);
    expect((await onBoard(orderId))?.status).toBe("preparing");
  });

  it("answers a step 503 when the board cannot be told, and the repeat puts it right", async () => {
    const confirmed = orderConfirmed();
    const { orderId } = confirmed.data;
    await deliver(confirmed);
    // The board breaks for real: its table is set aside for one its writes cannot use, then put back.
    const breakBoard = (broken: boolean) =>
      runInDurableObject(board(), (_b: KitchenBoard, state) => {
        const sql = state.storage.sql;
        if (broken) {
          sql.exec("ALTER TABLE board RENAME TO board_away");
          sql.exec("CREATE TABLE board (order_id TEXT PRIMARY KEY)");
        } else {
          sql.exec("DROP TABLE board");
          sql.exec("ALTER TABLE board_away RENAME TO board");
        }
      });
    await breakBoard(true);
    let refused: Response;
    try {
      refused = await step(orderId, "start-preparing");
    } finally {
      await breakBoard(false);
    }
    expect(refused.status).toBe(503);
    expect(refused.headers.get("Retry-After")).toBe("1");
    expect(await refused.json()).toMatchObject({ error: "board_unavailable" });
    // The step itself is recorded: the ticket is the truth.
    expect((await env.KITCHEN_TICKETS.getByName(orderId).ticket())?.status).toBe("preparing");

    expect((await step(orderId, "start-preparing")).status).toBe(202);
    expect((await onBoard(orderId))?.status).toBe("preparing");
  });

  it("needs the staff role, and reading an empty board stores nothing", async () => {
    for (const path of ["/kitchen/tickets", "/kitchen/tickets/live"]) {
      const res = await call("GET", path, alice);
      expect(res.status, path).toBe(403);
      expect(await res.json()).toMatchObject({ error: "forbidden" });
    }
    const empty = env.KITCHEN_BOARD.getByName(`empty-${crypto.randomUUID()}`);
    expect(await empty.board()).toEqual({ tickets: [] });
    await runInDurableObject(empty, (_b: KitchenBoard, state) =>
      expect(state.storage.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table'").toArray()).toEqual(
        [],
      ),
    );
  });

  it("is not taken for a ticket: /kitchen/tickets/live is the live board, 426 unless a WebSocket", async () => {
    const res = await call("GET", "/kitchen/tickets/live");
    expect(res.status).toBe(426);
    expect(res.headers.get("Upgrade")).toBe("websocket");
    expect(await res.json()).toMatchObject({
      error: "upgrade_required",
      issues: [{ field: "Upgrade", reason: "expected 'websocket'" }],
    });
  });

  it("goes live: the board on connect, and again after every change", async () => {
    const confirmed = orderConfirmed();
    const { orderId } = confirmed.data;
    const live = await openLiveBoard<Env, Board>(kitchenApi, "/kitchen/tickets/live", env, cook);
    expect(live.response.headers.get("Sec-WebSocket-Protocol")).toBe("pizza-live.v1");
    const first = await live.next("the board on connect", () => true);
    expect(first.type).toBe("board");
    expect(first.board.tickets.some((t) => t.orderId === orderId)).toBe(false);

    await deliver(confirmed);
    await live.next("the opened ticket", (b) =>
      b.tickets.some((t) => t.orderId === orderId && t.status === "waiting"),
    );
    expect((await step(orderId, "start-preparing")).status).toBe(202);
    const moved = await live.next("the ticket preparing", (b) =>
      b.tickets.some((t) => t.orderId === orderId && t.status === "preparing"),
    );
    expect(moved).toEqual({ type: "board", board: await board().board() });
    expect(KitchenBoardMessage.parse(moved), "the message as declared").toEqual(moved);
    await deliver(orderCancelled(orderId));
    await live.next("the ticket gone", (b) => !b.tickets.some((t) => t.orderId === orderId));
    live.close();
  });

  it("selects no protocol for a client that offered none (a non-browser client with a header)", async () => {
    const live = await openLiveBoard<Env, Board>(kitchenApi, "/kitchen/tickets/live", env, cook, {});
    expect(live.response.headers.get("Sec-WebSocket-Protocol")).toBeNull();
    await live.next("the board on connect", () => true);
    live.close();
  });
});
