import { z } from "@hono/zod-openapi";
import { Money, TaxRate } from "../../../shared/events/catalog/money";
import { apiRoute, json, serve } from "../../../shared/http/openapi";
import { deliveryFee, menu } from "../menu";
import { newRoutes } from "./app";

const Menu = z
  .object({
    recipes: z.array(
      z.object({
        recipeId: z.string().openapi({ example: "margherita" }),
        name: z.string(),
        description: z.string(),
        price: Money.meta({ description: "Tax included, minor units." }),
        taxRateBasisPoints: TaxRate.meta({ description: "2000 = 20% VAT." }),
      }),
    ),
    deliveryFee: z.object({
      name: z.string(),
      description: z.string(),
      price: Money.meta({ description: "Tax included, minor units." }),
      taxRateBasisPoints: TaxRate,
    }),
  })
  .openapi("Menu");

const getMenu = apiRoute(
  {
    method: "get",
    path: "/",
    tags: ["Menu"],
    summary: "The menu, with prices (tax included) and the delivery fee",
    responses: { 200: json(Menu, "The menu.") },
  },
  { roles: "anyone" },
);

export const menuRoutes = serve(newRoutes(), getMenu, (c) => {
  c.header("Cache-Control", "public, max-age=60");
  return c.json({ recipes: menu, deliveryFee });
});
