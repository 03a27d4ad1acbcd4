import { createEvent } from "../../shared/events/envelope";
import { startTrace } from "../../shared/events/trace";
import { exampleData } from "./example-events";

/**
 * A catering order as offices send one: 500 lines, each with who it is for and what the kitchen must know,
 * about 400 KB of JSON. Notes are long on purpose (allergies spelt out), as the limits allow.
 */
export const CATERING_LINES = 500;

const label = (i: number) =>
  `Guest ${i + 1}, table ${1 + (i % 40)}: ${"team offsite ".repeat(10)}`.slice(0, 200);
const notes = (i: number) =>
  `Line ${i + 1}: ${"allergie aux noix, pâte coupée en carrés, basilic à côté, sans crème fraîche; ".repeat(8)}`.slice(
    0,
    500,
  );

/** The SubmitOrder body, for the API. */
export function cateringOrderBody(recipeIds: string[], fulfilment: "collection" | "delivery" = "collection") {
  return {
    fulfilment,
    items: Array.from({ length: CATERING_LINES }, (_, i) => ({
      recipeId: recipeIds[i % recipeIds.length]!,
      quantity: 1 + (i % 3),
      label: label(i),
      notes: notes(i),
    })),
  };
}

/** An order.confirmed.v2 for such an order, as orders publishes it (well over a queue message). */
export function cateringOrderConfirmed() {
  const example = exampleData("com.plantbasedpizza.order.confirmed.v2");
  const line = example.items[0]!;
  return createEvent(
    "com.plantbasedpizza.order.confirmed.v2",
    {
      ...example,
      items: Array.from({ length: CATERING_LINES }, (_, i) => ({
        ...line,
        label: label(i),
        notes: notes(i),
      })),
    },
    { traceparent: startTrace(), causationid: "test", subject: example.orderId },
  );
}
