import { deliveryFee, menu } from "../menu";
import { newRoutes } from "./app";

export const menuRoutes = newRoutes().get("/", (c) => {
  c.header("Cache-Control", "public, max-age=60");
  return c.json({ recipes: menu, deliveryFee });
});
