import type { pizzaClient } from "../test/support/pizza-client";

/** The order every local-runtime bench places: one margherita to collect, paid with `tok_visa`. */
export const COLLECTION_ORDER = {
  items: [{ recipeId: "margherita", quantity: 1 }],
  fulfilment: "collection",
  cardToken: "tok_visa",
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Places `rate * seconds` collection orders on a fixed schedule (order i at i / rate seconds), each by
 * its own customer (no rate limit is met) and without waiting for the ones before; resolves when every
 * POST was answered. Tokens are minted first, so minting does not shape the arrivals.
 */
export async function placeAtRate(
  pizza: ReturnType<typeof pizzaClient>,
  rate: number,
  seconds: number,
  customerPrefix: string,
  onStart: () => void | Promise<void> = () => {},
): Promise<number> {
  const tokens = await Promise.all(
    Array.from({ length: rate * seconds }, (_, i) => pizza.token(`${customerPrefix}-${i}`)),
  );
  await onStart();
  const start = Date.now();
  const placing: Promise<unknown>[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const wait = start + (i * 1000) / rate - Date.now();
    if (wait > 0) await sleep(wait);
    placing.push(
      pizza.call("POST", "/orders", { token: tokens[i], body: COLLECTION_ORDER }).catch(() => undefined),
    );
  }
  await Promise.all(placing);
  return tokens.length;
}
