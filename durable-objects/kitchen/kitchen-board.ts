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

export interface BoardTicket {
  orderId: string;
  status: Ticket["status"];
  /** A summary: one entry per recipe with its quantity over all the lines (labels and notes on the ticket). */
  items: { recipeId: string; name: string; quantity: number }[];
  /** Whether any line has notes the cooks must read (allergies): on GET /kitchen/tickets/:orderId. */
  hasNotes: boolean;
  openedAt: string;
  updatedAt: string;
}
export type KitchenBoardChange = BoardChange<Omit<BoardTicket, "updatedAt">>;

/**
 * The board's view of a ticket's lines: a catering order's hundreds of labelled lines become a few
 * recipes with their quantities, so the board (sent whole to every screen on each change) stays small.
 */
export function summariseItems(items: Ticket["items"]): Pick<BoardTicket, "items" | "hasNotes"> {
  const byRecipe = new Map<string, BoardTicket["items"][number]>();
  for (const { recipeId, name, quantity } of items) {
    const summed = byRecipe.get(recipeId);
    if (summed) summed.quantity += quantity;
    else byRecipe.set(recipeId, { recipeId, name, quantity });
  }
  return { items: [...byRecipe.values()], hasNotes: items.some((i) => Boolean(i.notes)) };
}

export class KitchenBoard extends LiveBoard<Omit<BoardTicket, "updatedAt">, { tickets: BoardTicket[] }> {
  protected shape(tickets: BoardTicket[]) {
    return { tickets };
  }
}
