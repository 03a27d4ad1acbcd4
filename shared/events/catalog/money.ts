import { z } from "zod";

/** Money is always minor units (pence, cents) plus an ISO 4217 currency. */
export const Money = z.object({
  amount: z.number().int().nonnegative(),
  currency: z.string().regex(/^[A-Z]{3}$/),
});
export type Money = z.infer<typeof Money>;

/** Digits after the decimal point for a currency (GBP 2, JPY 0), from the runtime's ICU data. */
export function minorUnitDigits(currency: string): number {
  return (
    new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2
  );
}

/** A tax rate in basis points (hundredths of a percent): 2000 is 20%, 550 is 5.5%. Integers, so no float drifts. */
export const TaxRate = z.number().int().min(0).max(10_000);

/** An amount with the tax it includes: net + tax = gross, all three in the same currency. */
export const TaxedMoney = z.object({ net: Money, tax: Money, gross: Money });
export type TaxedMoney = z.infer<typeof TaxedMoney>;

/**
 * Splits a tax-inclusive (gross) price into net and tax at a rate, as menus quote prices to customers:
 * net = gross / (1 + rate), rounded to the minor unit; tax is the rest, so the parts always add up.
 */
export function includedTax(gross: Money, taxRateBasisPoints: number): TaxedMoney {
  const net = Math.round((gross.amount * 10_000) / (10_000 + taxRateBasisPoints));
  const { currency } = gross;
  return { net: { amount: net, currency }, tax: { amount: gross.amount - net, currency }, gross };
}

/** Sums taxed amounts of one currency (an order's lines and fee into its total). */
export function sumTaxed(parts: TaxedMoney[], currency: string): TaxedMoney {
  const add = (key: keyof TaxedMoney) => ({
    amount: parts.reduce((sum, p) => sum + p[key].amount, 0),
    currency,
  });
  return { net: add("net"), tax: add("tax"), gross: add("gross") };
}
