// @ts-check
/**
 * An order's page (`/#/orders/<orderId>`, inside the storefront): where it is, what happened to it in
 * the business's own words, what it costs. It reads the order once, then follows
 * `GET /orders/{orderId}/live`, which pushes the whole order again after every change: nothing here
 * refreshes or polls.
 */
import { api, ApiError, dateTime, el, live, money, show, showError, time } from "./app.js";

/** @typedef {import("../../../durable-objects/orders/order").OrderView} OrderView */
/** @typedef {import("../../../durable-objects/orders/order-lifecycle").OrderStatus} OrderStatus */
/** @typedef {{ at: string; eventType: string; eventId: string; says: string }} StoryLine */
/** What the live feed and GET /orders/{id} answer: the read model with every fact it applied, in words. */
/** @typedef {OrderView & { story?: StoryLine[] }} StoriedOrder */

/** The steps an order goes through, by how it reaches the customer; `cancelled` can end any early one. */
const STEPS = /** @type {const} */ ({
  delivery: [
    "submitted",
    "confirmed",
    "preparing",
    "baking",
    "quality-checked",
    "out-for-delivery",
    "completed",
  ],
  collection: [
    "submitted",
    "confirmed",
    "preparing",
    "baking",
    "quality-checked",
    "ready-for-collection",
    "completed",
  ],
});

/** @type {Record<OrderStatus, string>} */
const STEP_NAMES = {
  submitted: "Placed",
  confirmed: "Paid",
  preparing: "Preparing",
  baking: "Baked",
  "quality-checked": "Checked",
  "ready-for-collection": "Ready to collect",
  "out-for-delivery": "On its way",
  completed: "Completed",
  cancelled: "Cancelled",
};

/** @type {Record<OrderStatus, string>} */
const HEADLINES = {
  submitted: "We have your order, and are waiting for your bank's answer.",
  confirmed: "Paid and confirmed: it is in the kitchen's queue.",
  preparing: "Our cooks are making your pizza.",
  baking: "Out of the oven, smelling wonderful.",
  "quality-checked": "Checked and boxed.",
  "ready-for-collection": "Ready at the counter: come and get it.",
  "out-for-delivery": "On its way to you.",
  completed: "Done. Enjoy your pizza!",
  cancelled: "This order was cancelled.",
};

/**
 * Until every order carries its story (the live feed's `story`), its history says the same in fewer
 * words: one line per status it reached.
 * @type {Record<OrderStatus, string>}
 */
const STATUS_SAYS = {
  submitted: "Order placed",
  confirmed: "Order confirmed",
  preparing: "Preparation started",
  baking: "Pizza baked",
  "quality-checked": "Quality checked",
  "ready-for-collection": "Ready for collection",
  "out-for-delivery": "Collected by driver",
  completed: "Completed",
  cancelled: "Cancelled",
};

/** @returns {StoryLine[]} */
function storyOf(/** @type {StoriedOrder} */ order) {
  if (order.story) return order.story;
  return order.history.map((h) => ({
    at: h.at,
    eventType: h.eventType,
    eventId: h.eventId,
    says:
      h.status === "cancelled" && order.cancellation
        ? `Cancelled: ${order.cancellation.reason}`
        : STATUS_SAYS[h.status],
  }));
}

/**
 * Shows order `orderId` in `page` and keeps it live. Returns a way to stop when the customer leaves.
 * @param {HTMLElement} page
 * @param {string} orderId
 * @param {boolean} signedIn
 */
export function showOrder(page, orderId, signedIn) {
  const liveBadge = el(
    "span",
    { class: "live-badge", "data-live": "closed", title: "Live updates" },
    "Connecting…",
  );
  const body = el("div", { class: "order-body" }, el("p", { class: "muted" }, "Loading your order…"));
  const error = el("div", {});
  show(
    page,
    el("p", {}, el("a", { href: "#/", class: "back" }, "← Back to the menu")),
    el(
      "div",
      { class: "order-head" },
      el("h1", {}, "Order ", el("span", { class: "mono" }, `#${orderId.slice(0, 8)}`)),
      liveBadge,
    ),
    error,
    body,
  );
  if (!signedIn) {
    showError(error, new Error("Sign in (at the top of the page) as the customer who placed this order."));
    show(body);
    return { stop() {} };
  }

  /** The latest version shown: a slow first read must not overwrite a newer pushed one. */
  let shown = -1;
  const render = (/** @type {StoriedOrder} */ order) => {
    const seen = order.history.length + (order.story?.length ?? 0);
    if (seen < shown) return;
    shown = seen;
    show(body, ...orderParts(order));
  };

  api(`/orders/${orderId}`)
    .then(render)
    .catch((e) => {
      showError(error, e);
      if (e instanceof ApiError && e.status === 404) show(body);
    });
  const feed = live(
    `/orders/${orderId}/live`,
    (message) => {
      if (message?.type === "order") {
        showError(error, undefined);
        render(message.order);
      }
    },
    {
      onState: (state) => {
        liveBadge.dataset.live = state;
        liveBadge.textContent = state === "open" ? "Live" : "Reconnecting…";
      },
    },
  );
  return feed;
}

/** @returns {Node[]} */
function orderParts(/** @type {StoriedOrder} */ order) {
  const steps = STEPS[order.fulfilment];
  const cancelled = order.status === "cancelled";
  const reached = new Set(order.history.map((h) => h.status));
  const at = /** @type {Partial<Record<OrderStatus, string>>} */ (
    Object.fromEntries(order.history.map((h) => [h.status, h.at]))
  );
  const current = steps.indexOf(/** @type {any} */ (order.status));

  const headline = el(
    "p",
    { class: `headline${cancelled ? " cancelled" : ""}`, "data-order-status": order.status },
    cancelled && order.cancellation ? `Cancelled: ${order.cancellation.reason}` : HEADLINES[order.status],
  );

  const progress = el(
    "ol",
    { class: "steps", "aria-label": "Progress" },
    ...steps.map((step, i) => {
      const state =
        step === order.status && step !== "completed"
          ? "current"
          : reached.has(step) || i < current
            ? "done"
            : "todo";
      const when = at[step];
      return el(
        "li",
        { class: `step ${cancelled && state === "todo" ? "skipped" : state}`, "data-step": step },
        el("span", { class: "dot", "aria-hidden": "true" }),
        el("span", { class: "step-name" }, STEP_NAMES[step]),
        el("span", { class: "step-time" }, when ? time(when) : ""),
      );
    }),
  );

  const story = storyOf(order);
  const storyCard = el(
    "section",
    { class: "card" },
    el("h2", {}, "What happened"),
    el(
      "ol",
      { class: "story", "data-story": "" },
      ...story.map((line) =>
        el(
          "li",
          { "data-event-type": line.eventType },
          el("time", { datetime: line.at }, time(line.at)),
          el("span", { class: "says" }, line.says),
        ),
      ),
    ),
  );

  const currency = order.total.currency;
  const lines = el(
    "table",
    { class: "lines" },
    el(
      "tbody",
      {},
      ...order.items.map((item) =>
        el(
          "tr",
          {},
          el("td", { class: "qty" }, `${item.quantity} ×`),
          el("td", {}, item.name, item.label ? el("small", {}, ` for ${item.label}`) : null),
          el("td", { class: "amount" }, money(item.total.gross)),
        ),
      ),
      order.deliveryFee
        ? el(
            "tr",
            {},
            el("td", {}),
            el("td", {}, "Delivery"),
            el("td", { class: "amount" }, money(order.deliveryFee)),
          )
        : null,
    ),
    el(
      "tfoot",
      {},
      el(
        "tr",
        {},
        el("td", {}),
        el("th", { scope: "row" }, "Total"),
        el("td", { class: "amount", "data-order-total": order.total.amount }, money(order.total)),
      ),
      el(
        "tr",
        { class: "muted" },
        el("td", {}),
        el("td", {}, "of which VAT"),
        el("td", { class: "amount" }, money(order.totalWithTax.tax ?? { amount: 0, currency })),
      ),
    ),
  );

  const detailsCard = el(
    "section",
    { class: "card" },
    el("h2", {}, "Your order"),
    lines,
    el(
      "dl",
      { class: "facts" },
      el("dt", {}, "How"),
      el(
        "dd",
        {},
        order.fulfilment === "delivery" ? "Delivery to your address" : "Collection at the counter",
      ),
      el("dt", {}, "Payment"),
      el("dd", {}, paymentWords(order.payment.status)),
      el("dt", {}, "Placed"),
      el("dd", {}, order.history[0] ? dateTime(order.history[0].at) : ""),
    ),
    cancelButton(order),
  );

  return [headline, progress, el("div", { class: "order-grid" }, storyCard, detailsCard)];
}

/** @type {Record<OrderView["payment"]["status"], string>} */
const PAYMENT_WORDS = {
  "awaiting-address": "Not asked yet: waiting for your new address to reach us",
  "not-requested": "Never asked: nothing was charged",
  pending: "Waiting for your bank",
  taken: "Paid",
  failed: "Declined: nothing was charged",
  "void-requested": "Being released: you will not be charged",
  voided: "Released: you were not charged",
  "refund-requested": "Being refunded",
  refunded: "Refunded",
};
const paymentWords = (/** @type {OrderView["payment"]["status"]} */ status) =>
  PAYMENT_WORDS[status] ?? status;

/** A customer may cancel until the kitchen starts (the API has the last word, and says why not). */
function cancelButton(/** @type {StoriedOrder} */ order) {
  if (order.status !== "submitted" && order.status !== "confirmed") return null;
  const status = el("div", {});
  const button = el(
    "button",
    {
      type: "button",
      class: "danger",
      onclick: async () => {
        button.disabled = true;
        try {
          await api(`/orders/${order.orderId}/cancel`, { method: "POST" });
          button.textContent = "Cancelling…";
        } catch (error) {
          showError(status, error);
          button.disabled = false;
        }
      },
    },
    "Cancel this order",
  );
  return el("div", { class: "cancel" }, button, status);
}
