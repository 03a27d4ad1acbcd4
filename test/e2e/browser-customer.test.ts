import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, openPage, saveScreenshot, signInThroughPage } from "../support/browser";

/**
 * A customer at the storefront, in chromium, against the system as `npm run dev` starts it (simulated
 * staff on): signs in, adds a delivery address, orders to it at once, and watches the order page follow
 * the order to `completed` and the points arrive, pushed over the live WebSockets, the page never
 * reloaded; then, in another browser, the same customer finds the order in "My orders" (GET /orders, not
 * anything the first browser kept). Saves docs/screenshots/storefront.png and order.png.
 */
const baseUrl = inject("simulatedBaseUrl");

/** What the order's story says, in this order, for a delivery (other lines may come between). */
const DELIVERY_STORY = [
  "Payment taken",
  "Order confirmed",
  "Preparation started",
  "Pizza baked",
  "Quality checked",
  "Driver assigned",
  "Collected by driver",
  "Delivered",
  "Completed",
];

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe("a customer in the browser", () => {
  it(
    "orders for delivery to an address just added, and watches it complete live without reloading",
    {
      timeout: 240_000,
    },
    async () => {
      const { context, page, problems } = await openPage(browser, baseUrl);
      try {
        await page.goto("/");
        await page.locator(".recipe").nth(4).waitFor();
        expect(await page.locator(".recipe h3").allTextContents()).toContain("Margherita");

        const name = `Ada ${crypto.randomUUID().slice(0, 8)}`;
        const customerId = await signInThroughPage(page, name, "customer");
        expect(customerId).toMatch(/^demo-customer-ada-/);

        // 2 Margherita (£10.00) + 1 Funghi (£11.50) + delivery (£3.00).
        await page.getByRole("button", { name: "Add Margherita" }).click();
        await page.getByRole("button", { name: "Add Margherita" }).click();
        await page.getByRole("button", { name: "Add Funghi" }).click();
        await page.getByRole("radio", { name: "Delivery" }).check();
        await expect.poll(() => page.locator("#basket-total").textContent()).toBe("£34.50");

        // A new customer has no address: the form is open.
        const form = page.getByRole("group", { name: "New address" });
        await form.waitFor();
        await form.getByLabel("Address line 1").fill("1 Basil Street");
        await form.getByLabel("City").fill("London");
        await form.getByLabel("Postcode").fill("E1 6AN");
        const [added] = await Promise.all([
          page.waitForResponse(
            (r) => r.url().endsWith("/customers/me/addresses") && r.request().method() === "POST",
          ),
          form.getByRole("button", { name: "Save address" }).click(),
        ]);
        expect(added.status()).toBe(201);
        const { addressId } = await added.json();
        await expect.poll(() => page.locator("#address").inputValue()).toBe(addressId);

        await page.getByRole("radio", { name: /Test Visa/ }).check();
        await saveScreenshot(page, "storefront");

        // A reload would lose this mark: the order's progress must arrive without one.
        await page.evaluate(() => Object.assign(window, { sameDocument: true }));
        const [placed] = await Promise.all([
          page.waitForResponse((r) => r.url().endsWith("/orders") && r.request().method() === "POST"),
          page.getByRole("button", { name: "Place order" }).click(),
        ]);
        // Accepted the first time, though the address was added a moment ago.
        expect(placed.status(), await placed.text()).toBe(202);
        expect(placed.request().headers()["idempotency-key"]).toMatch(/^[0-9a-f-]{36}$/);
        const { orderId } = await placed.json();
        await page.waitForURL(`**/#/orders/${orderId}`);

        await page.locator('.live-badge[data-live="open"]').waitFor({ timeout: 30_000 });
        await page.locator('[data-order-status="completed"]').waitFor({ timeout: 180_000 });
        expect(await page.evaluate(() => "sameDocument" in window)).toBe(true);

        const says = await page.locator("[data-story] .says").allTextContents();
        let from = 0;
        for (const line of DELIVERY_STORY) {
          const at = says.indexOf(line, from);
          expect(
            at,
            `"${line}" after "${DELIVERY_STORY[DELIVERY_STORY.indexOf(line) - 1]}" in ${says.join(" | ")}`,
          ).toBeGreaterThanOrEqual(from);
          from = at + 1;
        }
        expect(await page.locator("[data-order-total]").getAttribute("data-order-total")).toBe("3450");
        // One point per whole pound of the completed order, pushed to the header.
        await page.locator("#points-badge", { hasText: "34 points" }).waitFor({ timeout: 60_000 });
        expect(await page.evaluate(() => "sameDocument" in window)).toBe(true);

        await saveScreenshot(page, "order");
        expect(problems).toEqual([]);

        // Another browser (nothing of the first one's storage): the same customer sees the order.
        const other = await openPage(browser, baseUrl);
        try {
          await other.page.goto("/");
          expect(await signInThroughPage(other.page, name, "customer")).toBe(customerId);
          const row = other.page.locator(`#my-orders-list li[data-order-id="${orderId}"]`);
          await row.waitFor({ timeout: 30_000 });
          await row.locator('.status-pill[data-status="completed"]').waitFor({ timeout: 30_000 });
          expect(other.problems).toEqual([]);
        } finally {
          await other.context.close();
        }
      } finally {
        await context.close();
      }
    },
  );
});
