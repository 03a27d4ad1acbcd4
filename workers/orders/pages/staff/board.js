// @ts-check
/**
 * What the three staff screens (kitchen, drivers, counter) share: a board of the orders in hand, in
 * lanes by status, drawn from the context's list endpoint and kept current by its live socket
 * (`{ type: "board", board }` on connect and after every change: no polling), with one button per
 * order for the next step, sent as the existing staff command. The board is never moved by the page
 * itself: a step shows once the context has taken it, so two screens never disagree.
 */
import { api, el, errorBox, live, startPage } from "../app.js";
import { waited } from "./format.js";

/**
 * @typedef {object} Step the next thing staff do to an order, as a staff command
 * @property {string} label the button's words ("Start preparing")
 * @property {string} path the command's path (POST)
 * @property {(card: HTMLElement) => unknown} [body] the command's body, read from the card when clicked
 */

/**
 * @template T
 * @typedef {object} BoardSpec
 * @property {string} path the list endpoint ("/kitchen/tickets"); its live feed is `${path}/live`
 * @property {(body: any) => T[]} entries the orders in the list endpoint's body
 * @property {{ status: string; title: string; empty: string }[]} lanes in the order the work flows
 * @property {(entry: T) => string} statusOf
 * @property {(entry: T) => string} orderIdOf
 * @property {(entry: T) => string} sinceOf when the entry started waiting: the lane's oldest first
 * @property {(entry: T) => (Node | string)[]} describe the card's content
 * @property {(entry: T) => Step | undefined} next
 * @property {(entry: T) => Node | undefined} [extra] more of the card that keeps its state across updates
 */

/**
 * Draws the board into `root` once a staff member has signed in, and keeps it current.
 * @template T
 * @param {HTMLElement} root
 * @param {BoardSpec<T>} spec
 */
export function mountBoard(root, spec) {
  const status = el("p", { class: "live-status", "data-state": "connecting", role: "status" }, "Connecting…");
  const message = el("div", { class: "board-error", hidden: true });
  const lanes = new Map(
    spec.lanes.map((lane) => {
      const list = el("ol", { class: "board-cards" });
      const empty = el("p", { class: "lane-empty" }, lane.empty);
      const count = el("span", { class: "count" }, "0");
      const section = el(
        "section",
        { class: "lane", "data-status": lane.status },
        el("h2", {}, lane.title, " ", count),
        empty,
        list,
      );
      return [lane.status, { section, list, empty, count }];
    }),
  );
  const board = el("div", { class: "board", hidden: true }, ...[...lanes.values()].map((l) => l.section));
  const signedOut = el(
    "p",
    { class: "signed-out" },
    "Sign in as staff to see the board. It moves by itself as orders arrive and move on.",
  );
  root.append(status, message, signedOut, board);

  /** Each order's card, kept across updates so what staff typed in it (a driver's name) stays. */
  /** @type {Map<string, { key: string; card: HTMLElement }>} */
  const cards = new Map();
  /** @type {{ stop(): void } | undefined} */
  let feed;

  function showError(/** @type {unknown} */ error) {
    message.replaceChildren(errorBox(error));
    message.hidden = false;
  }

  /** @param {T[]} entries */
  function draw(entries) {
    const seen = new Set();
    for (const lane of lanes.values()) lane.list.replaceChildren();
    const inLanes = entries
      .filter((e) => lanes.has(spec.statusOf(e)))
      .sort((a, b) => spec.sinceOf(a).localeCompare(spec.sinceOf(b)));
    for (const entry of inLanes) {
      const orderId = spec.orderIdOf(entry);
      seen.add(orderId);
      const key = JSON.stringify(entry);
      let kept = cards.get(orderId);
      if (!kept || kept.key !== key) {
        const card = drawCard(entry, kept?.card);
        kept = { key, card };
        cards.set(orderId, kept);
      }
      const lane = lanes.get(spec.statusOf(entry));
      if (lane) lane.list.append(kept.card);
    }
    for (const orderId of [...cards.keys()]) if (!seen.has(orderId)) cards.delete(orderId);
    for (const lane of lanes.values()) {
      const n = lane.list.childElementCount;
      lane.count.textContent = String(n);
      lane.empty.hidden = n > 0;
    }
  }

  /**
   * @param {T} entry
   * @param {HTMLElement | undefined} previous the order's card before this update
   */
  function drawCard(entry, previous) {
    const orderId = spec.orderIdOf(entry);
    const card = el("li", {
      class: "board-card",
      "data-order-id": orderId,
      "data-status": spec.statusOf(entry),
    });
    card.append(...spec.describe(entry));
    // Within one lane the card's extra part (an input, a fetched address) stays as it was.
    const kept =
      previous?.dataset.status === spec.statusOf(entry)
        ? previous.querySelector(":scope > .card-extra")
        : null;
    const extra = kept ?? spec.extra?.(entry);
    if (extra) {
      if (extra instanceof Element) extra.classList.add("card-extra");
      card.append(extra);
    }
    const step = spec.next(entry);
    if (step) {
      const button = el("button", { type: "button", class: "primary step" }, step.label);
      button.addEventListener("click", async () => {
        button.disabled = true;
        message.hidden = true;
        try {
          const body = step.body?.(card);
          await api(step.path, { method: "POST", ...(body === undefined ? {} : { body }) });
          // The live feed moves the card; a fresh read as well, in case the socket is reconnecting.
          draw(spec.entries(await api(spec.path)));
        } catch (error) {
          showError(error);
        } finally {
          button.disabled = false;
        }
      });
      card.append(el("div", { class: "card-actions" }, button));
    }
    return card;
  }

  /** The board as the context sent it (the list endpoint's answer, or a live message). */
  function received(/** @type {unknown} */ body) {
    board.hidden = false;
    signedOut.hidden = true;
    status.textContent = `Live · updated ${new Date().toLocaleTimeString("en-GB")}`;
    draw(spec.entries(body));
  }

  async function start() {
    feed?.stop();
    feed = undefined;
    cards.clear();
    message.hidden = true;
    try {
      // The first read shows the board at once and surfaces a refusal (403) as a readable error.
      received(await api(spec.path));
    } catch (error) {
      board.hidden = true;
      status.dataset.state = "off";
      status.textContent = "Not connected";
      showError(error);
      return;
    }
    feed = live(
      `${spec.path}/live`,
      (/** @type {any} */ data) => {
        if (data?.type === "board") received(data.board);
      },
      {
        onState: (state) => {
          status.dataset.state = state === "open" ? "live" : "connecting";
          if (state === "closed") status.textContent = "Reconnecting…";
        },
      },
    );
  }

  function stop() {
    feed?.stop();
    feed = undefined;
    cards.clear();
    board.hidden = true;
    signedOut.hidden = false;
    status.dataset.state = "off";
    status.textContent = "Signed out";
  }

  // Waiting times on the cards grow by themselves: every half minute, without redrawing the cards.
  setInterval(() => {
    for (const since of board.querySelectorAll("[data-since]"))
      if (since instanceof HTMLElement) since.textContent = waited(since.dataset.since ?? "");
  }, 30_000);

  return { start, stop };
}

/**
 * A staff page: the demo sign-in for staff at the top, and the board in `#board-root`, started on
 * sign-in and stopped on sign-out.
 * @template T
 * @param {BoardSpec<T>} spec
 */
export function staffPage(spec) {
  const root = document.getElementById("board-root");
  if (!root) throw new Error("the page needs #board-root");
  const board = mountBoard(root, spec);
  startPage({ role: "staff", onSession: (session) => (session ? board.start() : board.stop()) });
}
