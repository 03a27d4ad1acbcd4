import type { Money } from "../../shared/events/catalog/money";

/**
 * The plant-based pizza menu. Prices live here, on the server: an order's prices always come from the
 * menu, never from the client. Minor units (pence) with an ISO 4217 currency.
 */
export const CURRENCY = "GBP";

export interface Recipe {
  recipeId: string;
  name: string;
  description: string;
  price: Money;
}

const recipe = (recipeId: string, name: string, description: string, amount: number): Recipe => ({
  recipeId,
  name,
  description,
  price: { amount, currency: CURRENCY },
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
};

const byId = new Map(menu.map((r) => [r.recipeId, r]));
export function findRecipe(recipeId: string): Recipe | undefined {
  return byId.get(recipeId);
}
