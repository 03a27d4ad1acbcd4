import { z } from "@hono/zod-openapi";
import type { DeliveryView } from "../../durable-objects/delivery/delivery";
import type { BoardDelivery as DeliveryBoardRow } from "../../durable-objects/delivery/delivery-board";
import { apiRoute, staffBoardRoutes, json, OrderIdParams, type Declares } from "../../shared/http/openapi";
import { BOARD_UNAVAILABLE } from "../../shared/http/staff-board";

/**
 * The drivers' API as declared: what drivers-api.ts serves and the public origin's document shows.
 * Free of the delivery worker's bindings, so the orders worker can import it.
 */
const STAFF = { roles: ["staff"] } as const;
const TAGS = ["Delivery"];

/** POST /delivery/orders/{orderId}/driver. */
export const AssignDriver = z.object({ driverId: z.string().trim().min(1).max(128) });

export const Delivery = z
  .object({
    deliveryId: z.string(),
    orderId: z.string(),
    customerId: z.string(),
    status: z.enum(["waiting-for-driver", "driver-assigned", "out-for-delivery", "delivered"]),
    driverId: z.string().optional(),
    address: z.object({
      addressId: z.string(),
      line1: z.string(),
      line2: z.string().optional(),
      city: z.string(),
      postcode: z.string(),
      country: z.string(),
    }),
    openedAt: z.iso.datetime(),
  })
  .openapi("Delivery");

true satisfies Declares<typeof Delivery, DeliveryView>;

/** A delivery as the drivers' board shows it (durable-objects/delivery/delivery-board.ts): no address. */
export const BoardDelivery = z
  .object({
    orderId: z.string(),
    status: Delivery.shape.status,
    driver: z.string().optional().openapi({ description: "The assigned driver's id, once there is one." }),
    openedAt: z.iso.datetime(),
    updatedAt: z.iso.datetime().openapi({ description: "When the board saw the delivery's current step." }),
  })
  .openapi("DeliveryBoardOrder");
true satisfies Declares<typeof BoardDelivery, DeliveryBoardRow>;

/** GET /delivery/orders, and each message of its live feed. */
export const DeliveryBoard = z
  .object({
    orders: z.array(BoardDelivery).openapi({ description: "Deliveries not yet delivered, oldest first." }),
  })
  .openapi("DeliveryBoard");

const deliveryBoardRoutes = staffBoardRoutes({
  path: "/delivery/orders",
  tag: TAGS[0]!,
  name: "The drivers' board",
  holds: "deliveries not yet delivered",
  description:
    "A delivered order leaves it. The address is on each delivery (GET /delivery/orders/{orderId}).",
  schema: DeliveryBoard,
  answers: "The deliveries in hand, oldest first.",
});
/** Each message of the live board. */
export const DeliveryBoardMessage = deliveryBoardRoutes.message;
export const getDeliveryBoard = deliveryBoardRoutes.list;
export const liveDeliveryBoard = deliveryBoardRoutes.live;

const NO_DELIVERY = { 404: "No delivery for this order." };
const OUT_OF_ORDER = {
  409: "The delivery is not at the step before this one (the message says where it is).",
};

export const getDelivery = apiRoute(
  {
    method: "get",
    path: "/delivery/orders/{orderId}",
    tags: TAGS,
    summary: "An order's delivery, with the address from delivery's own copy",
    request: { params: OrderIdParams },
    responses: { 200: json(Delivery, "The delivery.") },
  },
  STAFF,
  NO_DELIVERY,
);

export const assignDriver = apiRoute(
  {
    method: "post",
    path: "/delivery/orders/{orderId}/driver",
    tags: TAGS,
    summary: "Assign a driver",
    description: "Allowed while waiting for a driver; the same driver again is 202, another one 409.",
    request: {
      params: OrderIdParams,
      body: { required: true, content: { "application/json": { schema: AssignDriver } } },
    },
    responses: { 202: json(Delivery, "The delivery, with its driver.") },
  },
  { ...STAFF, invalid: "The driver assignment is not valid." },
  NO_DELIVERY,
  OUT_OF_ORDER,
  BOARD_UNAVAILABLE,
);

const step = (path: string, summary: string, from: string) =>
  apiRoute(
    {
      method: "post",
      path: `/delivery/orders/{orderId}/${path}`,
      tags: TAGS,
      summary,
      description: `Allowed when the delivery is ${from}; a repeat of a step that took effect answers 202 again.`,
      request: { params: OrderIdParams },
      responses: { 202: json(Delivery, "The delivery, moved on.") },
    },
    STAFF,
    NO_DELIVERY,
    OUT_OF_ORDER,
    BOARD_UNAVAILABLE,
  );

export const collectedByDriver = step(
  "collected-by-driver",
  "The driver collected the order",
  "driver-assigned",
);
export const delivered = step("delivered", "The driver delivered the order", "out-for-delivery");

/** Every route of the drivers' API, for the public origin's document. */
export const deliveryRoutes = [
  getDeliveryBoard,
  liveDeliveryBoard,
  getDelivery,
  assignDriver,
  collectedByDriver,
  delivered,
];
