import { LiveBoard, type BoardChange } from "../../shared/durable/live-board";
import type { DeliveryStatus } from "./delivery";

/**
 * The drivers' board: the deliveries not yet delivered (waiting for a driver, assigned, out for
 * delivery), oldest first, for the driver screen's list and its live feed. A read model: each Delivery
 * stays the truth and tells the board its state after every change (workers/delivery/board-api.ts says
 * how a failed telling is repaired). A delivered order leaves it, so it stays small. No address on it:
 * the driver who takes a delivery reads it from GET /delivery/orders/:orderId.
 *
 * One board per shop, not one for the business: the board of a location only takes that location's
 * steps, so it is never a global hot spot. The business has one shop today, `main` (`SHOP`).
 */
export const SHOP = "main";

export interface BoardDelivery {
  orderId: string;
  status: DeliveryStatus;
  /** The assigned driver's id, once there is one. */
  driver?: string;
  openedAt: string;
  updatedAt: string;
}
export type DeliveryBoardChange = BoardChange<Omit<BoardDelivery, "updatedAt">>;

export class DeliveryBoard extends LiveBoard<Omit<BoardDelivery, "updatedAt">, { orders: BoardDelivery[] }> {
  protected shape(orders: BoardDelivery[]) {
    return { orders };
  }
}
