import { LiveBoard, type BoardChange } from "../../shared/durable/live-board";
import type { CounterStatus } from "./counter-collection";

/**
 * The counter's board: the orders waiting at the counter for their customers, oldest first, for the
 * counter screen's list and its live feed. A read model: each CounterCollection stays the truth and
 * tells the board its state after every change (workers/collection/board-api.ts says how a failed
 * telling is repaired). A collected order leaves it, so it stays small.
 *
 * One board per shop, not one for the business: the board of a location only takes that location's
 * steps, so it is never a global hot spot. The business has one shop today, `main` (`SHOP`).
 */
export const SHOP = "main";

export interface BoardCounterOrder {
  orderId: string;
  status: CounterStatus;
  readyAt: string;
  updatedAt: string;
}
export type CounterBoardChange = BoardChange<Omit<BoardCounterOrder, "updatedAt">>;

export class CounterBoard extends LiveBoard<
  Omit<BoardCounterOrder, "updatedAt">,
  { orders: BoardCounterOrder[] }
> {
  protected shape(orders: BoardCounterOrder[]) {
    return { orders };
  }
}
