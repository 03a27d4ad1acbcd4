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
