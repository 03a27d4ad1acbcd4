import type { Money } from "../../shared/events/catalog/money";

/**
 * The plant-based pizza menu. Prices live here, on the server: an order's prices always come from the
 * menu, never from the client. Minor units (pence) with an ISO 4217 currency, tax included as customers
 * see them, each with its tax rate (RFC 0001) so orders can say how much of a price is tax.
 */
export const CURRENCY = "GBP";

/** UK VAT on hot takeaway food and on delivery: the standard rate, 20%. */
const UK_STANDARD_RATE = 2000;

export interface Recipe {
  recipeId: string;
  name: string;
  description: string;
  /** Tax included. */
  price: Money;
  /** The tax rate included in the price, in basis points (2000 = 20%). */
  taxRateBasisPoints: number;
}

const recipe = (recipeId: string, name: string, description: string, amount: number): Recipe => ({
  recipeId,
  name,
  description,
  price: { amount, currency: CURRENCY },
  taxRateBasisPoints: UK_STANDARD_RATE,
});

export const menu: readonly Recipe[] = [
  recipe("margherita", "Margherita", "San Marzano tomato, cashew mozzarella, fresh basil.", 1000),
  recipe("funghi", "Funghi", "Roasted chestnut and oyster mushrooms, garlic oil, thyme.", 1150),
  recipe("diavola", "Diavola", "Smoky seitan pepperoni, chilli honey-free glaze, red onion.", 1250),
  recipe("verdure", "Verdure", "Grilled courgette, peppers, aubergine, vegan pesto.", 1200),
  recipe("hawaiian-jackfruit", "Hawaiian Jackfruit", "Pulled BBQ jackfruit, pineapple, spring onion.", 1300),
];

/** The fixed fee every delivery order carries (on the menu, so customers see it before ordering). */
export const deliveryFee = {
  name: "Delivery",
  description: "To your door, hot.",
  price: { amount: 300, currency: CURRENCY },
  taxRateBasisPoints: UK_STANDARD_RATE,
};

const byId = new Map(menu.map((r) => [r.recipeId, r]));
export function findRecipe(recipeId: string): Recipe | undefined {
  return byId.get(recipeId);
}
