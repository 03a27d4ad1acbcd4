// @ts-check
/**
 * The kitchen's screen: every open ticket by state, oldest first, with the cooks' next step on each.
 * Waiting → Start preparing → Preparing → Pizza baked → Baked → Quality checked → ready to go out.
 */
import { api, el, errorBox } from "../app.js";
import { staffPage } from "./board.js";
import { clock, orderNumber, waitedFor } from "./format.js";

/**
 * A ticket on the kitchen board (GET /kitchen/tickets). The board carries a summary of the lines
 * (quantity per recipe) and whether any has notes; the labels and notes (who a line is for, allergies)
 * are on the ticket itself, read when a cook opens them: a catering order's 500 labelled lines would
 * make every board message huge.
 * @typedef {import("../../../../durable-objects/kitchen/kitchen-ticket").Ticket} Ticket
 * @typedef {{ orderId: string; status: Ticket["status"]; items: Ticket["items"]; hasNotes?: boolean;
 *   openedAt: string; updatedAt: string }} BoardTicket
 */

/** The ticket's lines with their labels and notes, read from GET /kitchen/tickets/{orderId} when opened. */
function notesOf(/** @type {string} */ orderId) {
  const lines = el("ul", { class: "items" });
  const notes = el("details", { class: "ticket-notes" }, el("summary", {}, "Notes for the cooks"), lines);
  notes.addEventListener("toggle", async () => {
    if (!notes.open || lines.childElementCount > 0) return;
    try {
      /** @type {Ticket} */
      const ticket = await api(`/kitchen/tickets/${orderId}`);
      lines.replaceChildren(
        ...ticket.items
          .filter((item) => item.label || item.notes)
          .map((item) =>
            el(
              "li",
              {},
              el("span", { class: "item-quantity" }, `${item.quantity} ×`),
              " ",
              el("span", { class: "item-name" }, item.name),
              item.label ? el("span", { class: "item-for" }, ` for ${item.label}`) : null,
              item.notes ? el("span", { class: "item-notes" }, item.notes) : null,
            ),
          ),
      );
    } catch (error) {
      lines.replaceChildren(el("li", {}, errorBox(error)));
    }
  });
  return notes;
}

/** @type {Record<string, { label: string; command: string }>} */
const NEXT = {
  waiting: { label: "Start preparing", command: "start-preparing" },
  preparing: { label: "Pizza baked", command: "pizza-baked" },
  baked: { label: "Quality checked", command: "quality-checked" },
};

staffPage(
  /** @type {import("./board.js").BoardSpec<BoardTicket>} */ ({
    path: "/kitchen/tickets",
    entries: (body) => body.tickets,
    lanes: [
      { status: "waiting", title: "Waiting", empty: "No tickets waiting." },
      { status: "preparing", title: "Preparing", empty: "Nothing being prepared." },
      { status: "baked", title: "Baked", empty: "Nothing in the oven's pass." },
      { status: "quality-checked", title: "Ready to go", empty: "Nothing checked lately." },
    ],
    statusOf: (t) => t.status,
    orderIdOf: (t) => t.orderId,
    sinceOf: (t) => t.openedAt,
    describe: (t) => [
      el(
        "header",
        { class: "card-head" },
        el("span", { class: "order-number" }, orderNumber(t.orderId)),
        el("span", { class: "card-time" }, `opened ${clock(t.openedAt)} · `, waitedFor(t.openedAt)),
      ),
      el(
        "ul",
        { class: "items" },
        ...t.items.map((item) =>
          el(
            "li",
            {},
            el("span", { class: "item-quantity" }, `${item.quantity} ×`),
            " ",
            el("span", { class: "item-name" }, item.name),
            item.label ? el("span", { class: "item-for" }, ` for ${item.label}`) : null,
            item.notes ? el("span", { class: "item-notes" }, item.notes) : null,
          ),
        ),
      ),
    ],
    extra: (t) => (t.hasNotes ? notesOf(t.orderId) : undefined),
    next: (t) => {
      const step = NEXT[t.status];
      return step && { label: step.label, path: `/kitchen/tickets/${t.orderId}/${step.command}` };
    },
  }),
);
