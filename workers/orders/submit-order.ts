import { z } from "zod";
import { includedTax, sumTaxed, type TaxedMoney } from "../../shared/events/catalog/money";
import {
  MAX_ORDER_LINES,
  OrderLineLabel,
  OrderLineNotes,
  type TaxedDeliveryFee,
  type TaxedOrderLine,
} from "../../shared/events/catalog/orders";
import { CardToken } from "../../shared/events/catalog/payments";
import type { FieldIssue } from "../../shared/http/errors";
import { deliveryFee, findRecipe } from "./menu";

/**
 * An address id as the customers context gives it (POST /customers/me/addresses): any other form can
 * never become the customer's address, so it is refused at once rather than awaited (api/orders.ts).
 */
export const DeliveryAddressId = z
  .string()
  .regex(/^address-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, {
    message: "must be an address id as POST /customers/me/addresses answers it (address-<uuid>)",
  })
  .meta({
    description: "An address's id, `address-<uuid>`, as POST /customers/me/addresses answers it.",
    example: "address-6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b",
  });

/** The SubmitOrder command as a customer sends it. Prices are never accepted from the client. */
export const SubmitOrderBody = z
  .strictObject({
    items: z
      .array(
        z.strictObject({
          recipeId: z.string().min(1).max(64),
          quantity: z.number().int().min(1).max(20),
          /** Catering: who the line is for ("Ada, accounts"). */
          label: OrderLineLabel.optional(),
          /** Catering: what the kitchen must know ("no nuts: allergy", "cut in squares"). */
          notes: OrderLineNotes.optional(),
        }),
      )
      .min(1, "an order needs at least one pizza")
      // A catering order for an office's event: up to 500 lines (about 400 KB with labels and notes).
      .max(MAX_ORDER_LINES),
    fulfilment: z.enum(["collection", "delivery"]),
    deliveryAddressId: DeliveryAddressId.optional().meta({
      description:
        "Delivery orders only (required there): one of the caller's addresses, `address-<uuid>` as POST " +
        "/customers/me/addresses answers it. One added a moment ago is fine: the order waits for it.",
    }),
    /**
     * The card to charge, as a token from the (simulated) card processor: tok_visa, tok_declined,
     * tok_no_answer, tok_answer_after_<N>s (see durable-objects/payments/card-processor.ts). Without one, the
     * customer's card on file is charged.
     */
    cardToken: CardToken.optional(),
  })
  .superRefine((body, ctx) => {
    if (body.fulfilment === "delivery" && !body.deliveryAddressId) {
      ctx.addIssue({ code: "custom", path: ["deliveryAddressId"], message: "required for delivery orders" });
    }
    if (body.fulfilment === "collection" && body.deliveryAddressId) {
      ctx.addIssue({
        code: "custom",
        path: ["deliveryAddressId"],
        message: "only allowed for delivery orders",
      });
    }
  });
export type SubmitOrderBody = z.infer<typeof SubmitOrderBody>;

export interface PricedOrder {
  lines: TaxedOrderLine[];
  deliveryFee?: TaxedDeliveryFee;
  total: TaxedMoney;
}

/**
 * Prices every line from the menu (plus the delivery fee), each with the tax its price includes at its
 * rate; the total is their sum. Unknown recipes are reported per field.
 */
export function priceOrder(body: SubmitOrderBody): PricedOrder | { issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  const lines: TaxedOrderLine[] = [];
  body.items.forEach((item, i) => {
    const recipe = findRecipe(item.recipeId);
    if (!recipe)
      issues.push({
        field: `items.${i}.recipeId`,
        reason: `unknown recipe '${item.recipeId}'; see GET /menu`,
      });
    else
      lines.push({
        recipeId: recipe.recipeId,
        name: recipe.name,
        quantity: item.quantity,
        ...(item.label !== undefined ? { label: item.label } : {}),
        ...(item.notes !== undefined ? { notes: item.notes } : {}),
        unitPrice: recipe.price,
        taxRateBasisPoints: recipe.taxRateBasisPoints,
        total: includedTax(
          { amount: recipe.price.amount * item.quantity, currency: recipe.price.currency },
          recipe.taxRateBasisPoints,
        ),
      });
  });
  if (issues.length) return { issues };
  const fee: TaxedDeliveryFee | undefined =
    body.fulfilment === "delivery"
      ? {
          taxRateBasisPoints: deliveryFee.taxRateBasisPoints,
          total: includedTax(deliveryFee.price, deliveryFee.taxRateBasisPoints),
        }
      : undefined;
  const parts = [...lines.map((l) => l.total), ...(fee ? [fee.total] : [])];
  return {
    lines,
    ...(fee ? { deliveryFee: fee } : {}),
    total: sumTaxed(parts, lines[0]!.unitPrice.currency),
  };
}

/** The Idempotency-Key header: opaque, printable, bounded. */
export const IdempotencyKey = z
  .string()
  .regex(/^[\x21-\x7e]{1,255}$/, "must be 1-255 printable ASCII characters");

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

/**
 * With an Idempotency-Key the order id is derived from (customer, key): a repeat lands on the same
 * order's Durable Object, which answers from what it stored the first time, with no separate
 * idempotency table to keep in step. Formatted as a UUID (version nibble 5, name-based).
 */
export async function orderIdFor(customerId: string, idempotencyKey: string | undefined): Promise<string> {
  if (!idempotencyKey) return crypto.randomUUID();
  const h = await sha256(`${customerId}\n${idempotencyKey}`);
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = Array.from(h.slice(0, 16), (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Fingerprint of what was asked, to tell a true repeat from a reused key with another body. */
export async function fingerprint(body: SubmitOrderBody): Promise<string> {
  const canonical = JSON.stringify({
    items: body.items.map((i) => [i.recipeId, i.quantity]),
    fulfilment: body.fulfilment,
    deliveryAddressId: body.deliveryAddressId ?? null,
    cardToken: body.cardToken ?? null,
  });
  return Array.from(await sha256(canonical), (b) => b.toString(16).padStart(2, "0")).join("");
}
