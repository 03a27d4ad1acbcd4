// @ts-check
/**
 * The counter's screen: the orders waiting at the counter for their customers, oldest first, each
 * handed over with "Collected".
 */
import { staffPage } from "./board.js";
import { el } from "../app.js";
import { clock, orderNumber, waitedFor } from "./format.js";

/**
 * An order on the counter's board (GET /collection/orders).
 * @typedef {{ orderId: string; status: import("../../../../durable-objects/collection/counter-collection").CounterStatus;
 *   readyAt?: string; updatedAt: string }} BoardCounterOrder
 */

staffPage(
  /** @type {import("./board.js").BoardSpec<BoardCounterOrder>} */ ({
    path: "/collection/orders",
    entries: (body) => body.orders,
    lanes: [
      {
        status: "waiting-at-counter",
        title: "Waiting at the counter",
        empty: "Nobody's pizza is waiting. New ones appear here when the kitchen has checked them.",
      },
    ],
    statusOf: (o) => o.status,
    orderIdOf: (o) => o.orderId,
    sinceOf: (o) => o.readyAt ?? o.updatedAt,
    describe: (o) => [
      el(
        "header",
        { class: "card-head" },
        el("span", { class: "order-number" }, orderNumber(o.orderId)),
        el(
          "span",
          { class: "card-time" },
          `ready ${clock(o.readyAt ?? o.updatedAt)} · `,
          waitedFor(o.readyAt ?? o.updatedAt),
        ),
      ),
    ],
    next: (o) =>
      o.status === "waiting-at-counter"
        ? { label: "Collected", path: `/collection/orders/${o.orderId}/collected` }
        : undefined,
  }),
);
