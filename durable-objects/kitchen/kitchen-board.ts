import { LiveBoard, type BoardChange } from "../../shared/durable/live-board";
import type { Ticket } from "./kitchen-ticket";

/**
 * The kitchen's board: the tickets the cooks have in hand (waiting, preparing, baked), oldest first,
 * for the kitchen screen's list and its live feed. A read model: each KitchenTicket stays the truth
 * and tells the board its state after every change (workers/kitchen/board-api.ts says how a failed
 * telling is repaired). Withdrawn and quality-checked tickets leave it, so it stays small.
 *
 * One board per kitchen, not one for the business: the board of a location only takes that
 * location's steps, so it is never a global hot spot. The business has one kitchen today, `main`
 * (`KITCHEN`); a second kitchen would be a second board, named by the location its orders go to.
 */
export const KITCHEN = "main";

export type BoardTicket = Pick<Ticket, "orderId" | "status" | "items" | "openedAt"> & { updatedAt: string };
export type KitchenBoardChange = BoardChange<Omit<BoardTicket, "updatedAt">>;

export class KitchenBoard extends LiveBoard<Omit<BoardTicket, "updatedAt">, { tickets: BoardTicket[] }> {
  protected shape(tickets: BoardTicket[]) {
    return { tickets };
  }
}
