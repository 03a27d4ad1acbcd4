// @ts-check
/**
 * The storefront (`/`): the menu, a basket, checkout (collection, or delivery to one of the customer's
 * addresses, added here), the customer's orders (GET /orders), loyalty points kept live, and an
 * order's own page (`/#/orders/<orderId>`, order.js) with its status pushed as it changes.
 */
import { api, el, live, money, dateTime, session, show, showError, startPage } from "./app.js";
import { showOrder } from "./order.js";

/** @typedef {import("../menu").Recipe} Recipe */
/** @typedef {import("../../../durable-objects/customers/customer").Address} Address */
/** @typedef {import("../../../durable-objects/loyalty/loyalty-account").LoyaltyBalance & { customerId: string }} LoyaltyAccount */
/** @typedef {import("../../../shared/events/catalog/money").Money} Money */
/** @typedef {{ recipes: Recipe[]; deliveryFee: { name: string; description: string; price: Money } }} Menu */

/**
 * The simulated card processor's test cards (durable-objects/payments/card-processor.ts): the token
 * picks its answer, so every ending of a payment can be tried from the page. `undefined` sends none:
 * the card on file.
 */
const CARDS = [
  { token: undefined, name: "Card on file", says: "Approved in a moment." },
  { token: "tok_visa", name: "Test Visa", says: "Approved in a moment, like the card on file." },
  {
    token: "tok_answer_after_10s",
    name: "Slow bank",
    says: "Approved after 10 seconds: the order waits, submitted, until the answer comes.",
  },
  {
    token: "tok_declined",
    name: "Declined card",
    says: "Declined: the order is cancelled with the reason, nothing is charged.",
  },
  {
    token: "tok_no_answer",
    name: "Silent bank",
    says: "Never answers: the payment deadline (30 seconds here) cancels the order and voids the payment.",
  },
];

const $ = (/** @type {string} */ selector) => /** @type {HTMLElement} */ (document.querySelector(selector));

/** @type {Menu | undefined} */
let menu;
/** The basket: recipe id -> quantity, kept for the tab. */
const basket = new Map(
  /** @type {[string, number][]} */ (JSON.parse(sessionStorage.getItem("pizza.basket") ?? "[]")),
);
/** @type {Address[]} */
let addresses = [];
/**
 * The order being placed and its Idempotency-Key: pressing "Place order" again (a double click, a retry
 * after a lost answer or after an address was not yet known) sends the same key, so it is one order.
 * Changing the order makes it another, with a new key.
 * @type {{ body: string; key: string } | undefined}
 */
let pending;
/** @type {{ stop(): void } | undefined} */
let pointsFeed;

const saveBasket = () => sessionStorage.setItem("pizza.basket", JSON.stringify([...basket]));

// ---- Orders just placed --------------------------------------------------------------------------
// GET /orders is a list kept from the orders' events, so an order placed a moment ago may not be on it
// yet: the page keeps what POST /orders answered (for this tab) until the list has the order.

/** @typedef {import("../../../durable-objects/orders/customer-orders").CustomerOrder} CustomerOrder */
const justPlacedKey = (/** @type {string} */ customerId) => `pizza.just-placed.${customerId}`;
/** @returns {CustomerOrder[]} */
function justPlaced(/** @type {string} */ customerId) {
  try {
    return JSON.parse(sessionStorage.getItem(justPlacedKey(customerId)) ?? "[]");
  } catch {
    return [];
  }
}
function keepJustPlaced(/** @type {string} */ customerId, /** @type {CustomerOrder[]} */ orders) {
  if (orders.length === 0) sessionStorage.removeItem(justPlacedKey(customerId));
  else sessionStorage.setItem(justPlacedKey(customerId), JSON.stringify(orders));
}

// ---- Menu and basket ------------------------------------------------------------------------------

function renderMenu() {
  if (!menu) return;
  show(
    $("#menu"),
    ...menu.recipes.map((recipe) =>
      el(
        "li",
        { class: "recipe", "data-recipe": recipe.recipeId },
        el("div", { class: `pizza-art pizza-${recipe.recipeId}`, "aria-hidden": "true" }),
        el(
          "div",
          { class: "recipe-text" },
          el("h3", {}, recipe.name),
          el("p", {}, recipe.description),
          el(
            "div",
            { class: "recipe-foot" },
            el("span", { class: "price" }, money(recipe.price)),
            el(
              "button",
              {
                type: "button",
                "aria-label": `Add ${recipe.name}`,
                onclick: () => changeQuantity(recipe.recipeId, 1),
              },
              "Add",
            ),
          ),
        ),
      ),
    ),
  );
  $("#delivery-fee").textContent = money(menu.deliveryFee.price);
}

function changeQuantity(/** @type {string} */ recipeId, /** @type {number} */ by) {
  const quantity = (basket.get(recipeId) ?? 0) + by;
  if (quantity > 0) basket.set(recipeId, Math.min(quantity, 50));
  else basket.delete(recipeId);
  saveBasket();
  renderBasket();
}

const fulfilment = () =>
  /** @type {"collection" | "delivery"} */ (
    /** @type {HTMLInputElement | null} */ (document.querySelector("input[name=fulfilment]:checked"))
      ?.value ?? "collection"
  );

function renderBasket() {
  if (!menu) return;
  const recipes = new Map(menu.recipes.map((r) => [r.recipeId, r]));
  const lines = [...basket].flatMap(([recipeId, quantity]) => {
    const recipe = recipes.get(recipeId);
    return recipe ? [{ recipe, quantity }] : [];
  });
  const currency = menu.deliveryFee.price.currency;
  const subtotal = lines.reduce((sum, l) => sum + l.recipe.price.amount * l.quantity, 0);
  const fee = fulfilment() === "delivery" && lines.length > 0 ? menu.deliveryFee.price.amount : 0;
  show(
    $("#basket-lines"),
    ...(lines.length === 0
      ? [el("li", { class: "empty" }, "Nothing yet: add a pizza from the menu.")]
      : lines.map(({ recipe, quantity }) =>
          el(
            "li",
            { "data-line": recipe.recipeId },
            el("span", { class: "line-name" }, recipe.name),
            el(
              "span",
              { class: "stepper" },
              el(
                "button",
                {
                  type: "button",
                  class: "quiet",
                  "aria-label": `One ${recipe.name} fewer`,
                  onclick: () => changeQuantity(recipe.recipeId, -1),
                },
                "−",
              ),
              el("span", { class: "quantity" }, quantity),
              el(
                "button",
                {
                  type: "button",
                  class: "quiet",
                  "aria-label": `One more ${recipe.name}`,
                  onclick: () => changeQuantity(recipe.recipeId, 1),
                },
                "+",
              ),
            ),
            el("span", { class: "amount" }, money({ amount: recipe.price.amount * quantity, currency })),
          ),
        )),
  );
  $("#delivery-fee-line").hidden = fee === 0;
  $("#basket-total").textContent = money({ amount: subtotal + fee, currency });
  $("#place-order").toggleAttribute("disabled", lines.length === 0);
  $("#address-choice").hidden = fulfilment() !== "delivery";
  const count = lines.reduce((n, l) => n + l.quantity, 0);
  $("#basket-count").textContent = count === 0 ? "" : `${count} ${count === 1 ? "pizza" : "pizzas"}`;
}

// ---- Addresses ------------------------------------------------------------------------------------

function renderAddresses(/** @type {string | undefined} */ select) {
  const current = select ?? /** @type {HTMLSelectElement} */ ($("#address")).value;
  show(
    $("#address"),
    ...(addresses.length === 0
      ? [el("option", { value: "" }, "No address yet: add one below")]
      : addresses.map((a) =>
          el(
            "option",
            { value: a.addressId, selected: a.addressId === current },
            [a.line1, a.line2, a.city, a.postcode].filter(Boolean).join(", "),
          ),
        )),
  );
  /** @type {HTMLDetailsElement} */ ($("#new-address")).open = addresses.length === 0;
}

async function loadAddresses() {
  try {
    addresses = (await api("/customers/me/addresses")).addresses;
    renderAddresses(undefined);
  } catch (error) {
    showError($("#address-error"), error);
  }
}

/** The new-address fields sit inside the checkout form (a form cannot hold another), saved on their own. */
async function addAddress() {
  const fields = /** @type {HTMLInputElement[]} */ ([...$("#address-form").querySelectorAll("input")]);
  /** @type {Record<string, string>} */
  const address = {};
  for (const field of fields) if (field.value.trim() !== "") address[field.name] = field.value.trim();
  if (address.country) address.country = address.country.toUpperCase();
  const button = /** @type {HTMLButtonElement} */ ($("#save-address"));
  button.disabled = true;
  try {
    /** @type {Address} */
    const added = await api("/customers/me/addresses", { method: "POST", body: address });
    addresses = [...addresses.filter((a) => a.addressId !== added.addressId), added];
    renderAddresses(added.addressId);
    showError($("#address-error"), undefined);
    for (const field of fields) field.value = field.defaultValue;
    /** @type {HTMLDetailsElement} */ ($("#new-address")).open = false;
  } catch (error) {
    showError($("#address-error"), error);
  } finally {
    button.disabled = false;
  }
}

// ---- Checkout -------------------------------------------------------------------------------------

function renderCards() {
  show(
    $("#cards"),
    ...CARDS.map((card, i) =>
      el(
        "label",
        { class: "card-choice" },
        el("input", { type: "radio", name: "card", value: card.token ?? "", checked: i === 0 }),
        el(
          "span",
          {},
          el("strong", {}, card.name),
          card.token ? el("code", {}, card.token) : null,
          el("small", {}, card.says),
        ),
      ),
    ),
  );
}

async function placeOrder(/** @type {SubmitEvent} */ event) {
  event.preventDefault();
  const who = session("customer");
  const status = $("#checkout-error");
  if (!who) {
    showError(status, new Error("Sign in first (at the top of the page) to place an order."));
    return;
  }
  const card = /** @type {HTMLInputElement} */ (document.querySelector("input[name=card]:checked")).value;
  const how = fulfilment();
  const deliveryAddressId = /** @type {HTMLSelectElement} */ ($("#address")).value;
  if (how === "delivery" && !deliveryAddressId) {
    showError(status, new Error("Add a delivery address first, or choose collection."));
    return;
  }
  const order = {
    items: [...basket].map(([recipeId, quantity]) => ({ recipeId, quantity })),
    fulfilment: how,
    ...(how === "delivery" ? { deliveryAddressId } : {}),
    ...(card ? { cardToken: card } : {}),
  };
  const body = JSON.stringify(order);
  if (pending?.body !== body) pending = { body, key: crypto.randomUUID() };
  const button = /** @type {HTMLButtonElement} */ ($("#place-order"));
  button.disabled = true;
  button.textContent = "Placing your order…";
  try {
    /** @type {{ orderId: string; status: string }} */
    const accepted = await api("/orders", {
      method: "POST",
      body: order,
      headers: { "Idempotency-Key": pending.key },
    });
    showError(status, undefined);
    pending = undefined;
    const customerId = who.principal.id;
    keepJustPlaced(customerId, [
      {
        orderId: accepted.orderId,
        placedAt: new Date().toISOString(),
        fulfilment: how,
        total: totalOf(order.items, how),
      },
      ...justPlaced(customerId).filter((o) => o.orderId !== accepted.orderId),
    ]);
    basket.clear();
    saveBasket();
    renderBasket();
    location.hash = `#/orders/${accepted.orderId}`;
  } catch (error) {
    showError(status, error);
  } finally {
    button.textContent = "Place order";
    button.disabled = basket.size === 0;
  }
}

/** What the basket comes to, as the menu prices it (the order's own total comes from the server). */
function totalOf(/** @type {{ recipeId: string; quantity: number }[]} */ items, /** @type {string} */ how) {
  const m = /** @type {Menu} */ (menu);
  const price = (/** @type {string} */ id) => m.recipes.find((r) => r.recipeId === id)?.price.amount ?? 0;
  const amount =
    items.reduce((sum, i) => sum + price(i.recipeId) * i.quantity, 0) +
    (how === "delivery" ? m.deliveryFee.price.amount : 0);
  return { amount, currency: m.deliveryFee.price.currency };
}

// ---- My orders and points -------------------------------------------------------------------------

const STATUS_WORDS = /** @type {Record<string, string>} */ ({
  submitted: "Waiting for payment",
  confirmed: "Confirmed",
  preparing: "Preparing",
  baking: "Baked",
  "quality-checked": "Quality checked",
  "ready-for-collection": "Ready to collect",
  "out-for-delivery": "On its way",
  completed: "Completed",
  cancelled: "Cancelled",
});

/** The customer's orders (GET /orders), with those just placed that the list does not have yet. */
async function renderMyOrders(/** @type {string} */ customerId) {
  const list = $("#my-orders-list");
  /** @type {{ orders: CustomerOrder[] }} */
  let known;
  try {
    known = await api("/orders");
  } catch (error) {
    showError(list, error);
    return;
  }
  const listed = new Set(known.orders.map((o) => o.orderId));
  const waiting = justPlaced(customerId).filter((o) => !listed.has(o.orderId));
  keepJustPlaced(customerId, waiting);
  const orders = [...waiting, ...known.orders]
    .sort((a, b) => Date.parse(b.placedAt) - Date.parse(a.placedAt))
    .slice(0, 10);
  if (orders.length === 0) {
    show(list, el("li", { class: "empty" }, "No orders yet."));
    return;
  }
  const rows = orders.map((o) => {
    const state = el("span", { class: "status-pill", "data-status": "" }, "…");
    const row = el(
      "li",
      { "data-order-id": o.orderId },
      el("a", { href: `#/orders/${o.orderId}` }, el("span", { class: "mono" }, `#${o.orderId.slice(0, 8)}`)),
      el("span", { class: "muted" }, dateTime(o.placedAt)),
      el("span", { class: "amount" }, money(o.total)),
      state,
    );
    api(`/orders/${o.orderId}`)
      .then((/** @type {{ status: string }} */ view) => {
        state.textContent = STATUS_WORDS[view.status] ?? view.status;
        state.dataset.status = view.status;
      })
      .catch(() => {
        state.textContent = "Unknown";
      });
    return row;
  });
  show(list, ...rows);
}

function renderPoints(/** @type {LoyaltyAccount} */ account) {
  $("#points-badge").textContent = `${account.points} ${account.points === 1 ? "point" : "points"}`;
  $("#points-badge").hidden = false;
  $("#points-total").textContent = String(account.points);
  $("#points-total").dataset.points = String(account.points);
  const recent = [...account.awards].reverse().slice(0, 5);
  show(
    $("#points-awards"),
    ...(recent.length === 0
      ? [el("li", { class: "empty" }, "Points arrive when an order is completed: one per whole pound.")]
      : recent.map((a) =>
          el(
            "li",
            {},
            el("span", { class: "points-plus" }, `+${a.points}`),
            " for ",
            el("a", { href: `#/orders/${a.orderId}`, class: "mono" }, `#${a.orderId.slice(0, 8)}`),
            el("span", { class: "muted" }, dateTime(a.awardedAt)),
          ),
        )),
  );
}

function followPoints() {
  pointsFeed?.stop();
  // One read first, so the points show even before (or without) the live feed.
  api("/loyalty/me")
    .then(renderPoints)
    .catch(() => undefined);
  pointsFeed = live("/loyalty/me/live", (message) => {
    if (message?.type === "loyalty") renderPoints(message.account);
  });
}

// ---- The page -------------------------------------------------------------------------------------

/** @type {{ stop(): void } | undefined} */
let orderView;

function route() {
  orderView?.stop();
  orderView = undefined;
  const match = /^#\/orders\/([0-9a-f-]{36})$/i.exec(location.hash);
  $("#shop").hidden = Boolean(match);
  $("#order-page").hidden = !match;
  const who = session("customer");
  if (match) {
    orderView = showOrder($("#order-page"), match[1] ?? "", Boolean(who));
    window.scrollTo(0, 0);
  } else if (who) {
    void renderMyOrders(who.principal.id);
  }
}

function onSession(/** @type {import("./app.js").Session | undefined} */ who) {
  document.body.dataset.session = who ? "signed-in" : "signed-out";
  $("#signed-out-note").hidden = Boolean(who);
  $("#customer-only").hidden = !who;
  $("#points-badge").hidden = true;
  pointsFeed?.stop();
  pointsFeed = undefined;
  if (!who) return;
  void loadAddresses();
  followPoints();
  route();
}

async function main() {
  renderCards();
  $("#checkout").addEventListener("submit", placeOrder);
  $("#checkout").addEventListener("change", (event) => {
    if (/** @type {HTMLInputElement} */ (event.target).name === "fulfilment") renderBasket();
  });
  $("#save-address").addEventListener("click", addAddress);
  // Enter in an address field saves the address; it must not place the order.
  $("#address-form").addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    void addAddress();
  });
  window.addEventListener("hashchange", route);
  startPage({ role: "customer", onSession });
  route();
  try {
    menu = /** @type {Menu} */ (await api("/menu"));
    renderMenu();
    renderBasket();
  } catch (error) {
    showError($("#menu"), error);
  }
}

void main();
