import type { pizzaClient } from "../test/support/pizza-client";

/** The order every local-runtime bench places: one margherita to collect, paid with `tok_visa`. */
export const COLLECTION_ORDER = {
  items: [{ recipeId: "margherita", quantity: 1 }],
  fulfilment: "collection",
  cardToken: "tok_visa",
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts `send(i)` for i = 0 .. n-1 on a fixed schedule (the i-th at i / rate seconds from now), each
 * without waiting for the ones before, so a slow answer never delays the next arrival; resolves with
 * every result once all are answered.
 */
export async function arriveAtRate<T>(
  n: number,
  rate: number,
  send: (i: number) => Promise<T>,
): Promise<T[]> {
  const start = Date.now();
  const sending: Promise<T>[] = [];
  for (let i = 0; i < n; i++) {
    const wait = start + (i * 1000) / rate - Date.now();
    if (wait > 0) await sleep(wait);
    sending.push(send(i));
  }
  return Promise.all(sending);
}

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
  await arriveAtRate(tokens.length, rate, (i) =>
    pizza.call("POST", "/orders", { token: tokens[i], body: COLLECTION_ORDER }).catch(() => undefined),
  );
  return tokens.length;
}
