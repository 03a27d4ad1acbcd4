// @ts-check
/**
 * The drivers' screen: every delivery not yet delivered, by state, with the next step on each:
 * Waiting for a driver → Assign driver → Driver assigned → Collected by driver → Out for delivery →
 * Delivered. The address comes from delivery's own copy (GET /delivery/orders/{orderId}), read once per
 * card: the board itself carries no addresses.
 */
import { api, el } from "../app.js";
import { staffPage } from "./board.js";
import { orderNumber, waitedFor } from "./format.js";

/**
 * A delivery on the drivers' board (GET /delivery/orders).
 * @typedef {{ orderId: string; status: import("../../../../durable-objects/delivery/delivery").DeliveryStatus;
 *   driver?: string; driverId?: string; openedAt?: string; updatedAt: string }} BoardDelivery
 * @typedef {import("../../../../durable-objects/delivery/delivery-addresses").DeliveryAddress} DeliveryAddress
 */

/** Each order's address, once read: it does not change while the order is on the board. */
/** @type {Map<string, Promise<DeliveryAddress | undefined>>} */
const addresses = new Map();

function addressOf(/** @type {string} */ orderId) {
  let address = addresses.get(orderId);
  if (!address) {
    address = api(`/delivery/orders/${orderId}`).then(
      (/** @type {any} */ body) => body.address,
      () => {
        addresses.delete(orderId); // try again on the next card
        return undefined;
      },
    );
    addresses.set(orderId, address);
  }
  return address;
}

/** The card's address block, filled in when delivery has answered. */
function addressBlock(/** @type {string} */ orderId) {
  const block = el("address", { class: "address" }, "Finding the address…");
  void addressOf(orderId).then((a) =>
    block.replaceChildren(
      ...(a
        ? [a.line1, a.line2, `${a.city} ${a.postcode}`]
            .filter(Boolean)
            .map((line) => el("span", {}, line ?? ""))
        : ["Address not available yet."]),
    ),
  );
  return block;
}

const driverOf = (/** @type {BoardDelivery} */ d) => d.driver ?? d.driverId;

staffPage(
  /** @type {import("./board.js").BoardSpec<BoardDelivery>} */ ({
    path: "/delivery/orders",
    entries: (body) => body.orders,
    lanes: [
      { status: "waiting-for-driver", title: "Waiting for a driver", empty: "Every delivery has a driver." },
      { status: "driver-assigned", title: "Driver assigned", empty: "No driver on the way to the shop." },
      { status: "out-for-delivery", title: "Out for delivery", empty: "Nothing on the road." },
    ],
    statusOf: (d) => d.status,
    orderIdOf: (d) => d.orderId,
    sinceOf: (d) => d.openedAt ?? d.updatedAt,
    describe: (d) =>
      [
        el(
          "header",
          { class: "card-head" },
          el("span", { class: "order-number" }, orderNumber(d.orderId)),
          el("span", { class: "card-time" }, waitedFor(d.updatedAt)),
        ),
        driverOf(d) ? el("p", { class: "driver" }, "Driver: ", el("strong", {}, driverOf(d) ?? "")) : null,
      ].filter((n) => n !== null),
    extra: (d) => {
      const extra = el("div", {}, addressBlock(d.orderId));
      if (d.status === "waiting-for-driver")
        extra.append(
          el(
            "label",
            { class: "field" },
            "Driver",
            el("input", {
              name: "driverId",
              placeholder: "Driver's name",
              maxlength: 128,
              autocomplete: "off",
            }),
          ),
        );
      return extra;
    },
    next: (d) => {
      const path = `/delivery/orders/${d.orderId}`;
      if (d.status === "waiting-for-driver")
        return {
          label: "Assign driver",
          path: `${path}/driver`,
          body: (card) => ({
            driverId:
              /** @type {HTMLInputElement | null} */ (card.querySelector("input[name=driverId]"))?.value ??
              "",
          }),
        };
      if (d.status === "driver-assigned")
        return { label: "Collected by driver", path: `${path}/collected-by-driver` };
      if (d.status === "out-for-delivery") return { label: "Delivered", path: `${path}/delivered` };
      return undefined;
    },
  }),
);
