import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, openPage, saveScreenshot, signInThroughPage } from "../support/browser";
import { pizzaClient, uniqueId } from "../support/pizza-client";
import { staffFlows } from "../support/staff-flows";
import { waitFor } from "../support/wait-for";

/**
 * The staff screens in a real browser, against the system whose staff the tests play (simulated staff
 * off): customers order over HTTP, staff sign in with the demo sign-in and move the orders on by
 * clicking, and the boards follow every change live (a step taken elsewhere moves the card too, with
 * no reload and no polling by the page).
 */
const baseUrl = inject("baseUrl");
const pizza = pizzaClient(baseUrl);
const flows = staffFlows(pizza);
/** Long enough for payment and confirmation on a machine busy with other tests. */
const ARRIVES_MS = 45_000;

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => browser?.close());

/** A staff screen with a staff member signed in through its demo sign-in form, its board showing. */
async function staffScreen(path: string, name: string) {
  const opened = await openPage(browser, baseUrl);
  await opened.page.goto(path);
  await signInThroughPage(opened.page, name, "staff");
  // The board shows once the list endpoint has answered; the live socket keeps it current from then on.
  await opened.page.locator(".board").waitFor({ state: "visible" });
  return opened;
}

/** The order's card in one lane of the board. */
const card = (page: Page, status: string, orderId: string): Locator =>
  page.locator(`.lane[data-status="${status}"] .board-card[data-order-id="${orderId}"]`);

async function placeOrder(customer: string, body: Record<string, unknown>) {
  const key = uniqueId("order");
  // A brand-new address may take a moment to reach orders: the same key until it is accepted.
  const submitted = await waitFor("the order to be accepted", async () => {
    const r = await pizza.submitOrder(customer, body, key);
    return r.status === 202 ? r : undefined;
  });
  return submitted.body.orderId as string;
}

describe("the staff screens", () => {
  it("the kitchen board: orders arrive live, cooks move them on with the buttons, and a step taken elsewhere shows at once", async () => {
    const { page, problems } = await staffScreen("/staff/kitchen", "Test Cook");
    const customer = await pizza.token(uniqueId("nina"));
    const order = (items: { recipeId: string; quantity: number; label?: string; notes?: string }[]) =>
      placeOrder(customer, { items, fulfilment: "collection" });
    // Placed after the board was open: only the live feed can bring them.
    const first = await order([{ recipeId: "margherita", quantity: 2 }]);
    const second = await order([{ recipeId: "funghi", quantity: 1 }]);
    const third = await order([
      { recipeId: "verdure", quantity: 1, label: "Sam", notes: "No garlic: allergy" },
      { recipeId: "margherita", quantity: 1 },
    ]);

    await card(page, "waiting", first).waitFor({ timeout: ARRIVES_MS });
    expect(await card(page, "waiting", first).locator(".items").textContent()).toContain("2 × Margherita");
    await card(page, "waiting", first).getByRole("button", { name: "Start preparing" }).click();
    await card(page, "preparing", first).waitFor();

    // Another cook, at another screen, says the pizza is baked: this board hears it live.
    const otherCook = await pizza.token(uniqueId("cook"), "staff");
    expect((await pizza.staff(otherCook, `/kitchen/tickets/${first}/pizza-baked`)).status).toBe(202);
    await card(page, "baked", first).waitFor();

    // A fuller board for the picture: one preparing, one waiting.
    await card(page, "waiting", second).waitFor({ timeout: ARRIVES_MS });
    await card(page, "waiting", second).getByRole("button", { name: "Start preparing" }).click();
    await card(page, "preparing", second).waitFor();
    await card(page, "waiting", third).waitFor({ timeout: ARRIVES_MS });
    // What the cooks must know is on the ticket, opened from the card.
    await card(page, "waiting", third).getByText("Notes for the cooks").click();
    await expect
      .poll(() => card(page, "waiting", third).locator(".ticket-notes").textContent())
      .toMatch(/Verdure for Sam\s*No garlic: allergy/);
    await page.mouse.move(0, 0); // no hover state in the picture
    await saveScreenshot(page, "kitchen");

    await card(page, "baked", first).getByRole("button", { name: "Quality checked" }).click();
    // Checked: off the cooks' lanes (it may stay a while under "Ready to go").
    await page
      .locator(`.lane:not([data-status="quality-checked"]) .board-card[data-order-id="${first}"]`)
      .waitFor({ state: "detached" });
    await pizza.waitForOrder(customer, first, "to be ready for collection", (o) =>
      ["ready-for-collection", "quality-checked"].includes(o.status),
    );
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it("a step the context refuses says why on the board, and the card stays where it is", async () => {
    const { page } = await staffScreen("/staff/drivers", "Test Driver");
    const customer = await pizza.token(uniqueId("omar"));
    const added = await pizza.addAddress(customer, {
      line1: "3 Oregano Lane",
      city: "Bristol",
      postcode: "BS1 5TR",
      country: "GB",
    });
    const orderId = await placeOrder(customer, {
      items: [{ recipeId: "diavola", quantity: 1 }],
      fulfilment: "delivery",
      deliveryAddressId: added.body.addressId,
    });
    await flows.startPreparing(customer, orderId);
    await flows.finishCooking(customer, orderId);

    const waiting = card(page, "waiting-for-driver", orderId);
    await waiting.waitFor({ timeout: ARRIVES_MS });
    await expect.poll(() => waiting.locator(".address").textContent()).toContain("3 Oregano Lane");
    // No driver's name: the drivers' API refuses the assignment with the field and the reason.
    await waiting.getByRole("button", { name: "Assign driver" }).click();
    const refusal = page.locator("#board-root .error");
    await refusal.waitFor({ state: "visible" });
    expect(await refusal.textContent()).toMatch(/driverId: /);
    expect(await waiting.isVisible()).toBe(true);
    await page.context().close();
  });

  it("the drivers' board: assign a driver, collected by driver, delivered", async () => {
    const { page, problems } = await staffScreen("/staff/drivers", "Test Dispatcher");
    const customer = await pizza.token(uniqueId("pia"));
    const added = await pizza.addAddress(customer, {
      line1: "12 Basil Street",
      city: "London",
      postcode: "E1 6AN",
      country: "GB",
    });
    const orderId = await placeOrder(customer, {
      items: [{ recipeId: "margherita", quantity: 1 }],
      fulfilment: "delivery",
      deliveryAddressId: added.body.addressId,
    });
    await flows.startPreparing(customer, orderId);
    await flows.finishCooking(customer, orderId);

    const waiting = card(page, "waiting-for-driver", orderId);
    await waiting.waitFor({ timeout: ARRIVES_MS });
    await waiting.getByLabel("Driver", { exact: true }).fill("Priya");
    await waiting.getByRole("button", { name: "Assign driver" }).click();
    await card(page, "driver-assigned", orderId).waitFor();
    expect(await card(page, "driver-assigned", orderId).locator(".driver").textContent()).toContain("Priya");
    await card(page, "driver-assigned", orderId).getByRole("button", { name: "Collected by driver" }).click();
    await card(page, "out-for-delivery", orderId).waitFor();
    await page.mouse.move(0, 0); // no hover state in the picture
    await saveScreenshot(page, "drivers");

    await card(page, "out-for-delivery", orderId).getByRole("button", { name: "Delivered" }).click();
    await page.locator(`.board-card[data-order-id="${orderId}"]`).waitFor({ state: "detached" });
    await pizza.waitForOrder(customer, orderId, "to be completed", (o) => o.status === "completed");
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it("the counter's board: the order waits at the counter until it is handed over", async () => {
    const { page, problems } = await staffScreen("/staff/counter", "Test Counter");
    const customer = await pizza.token(uniqueId("quinn"));
    const orderId = await placeOrder(customer, {
      items: [{ recipeId: "funghi", quantity: 2 }],
      fulfilment: "collection",
    });
    await flows.startPreparing(customer, orderId);
    await flows.finishCooking(customer, orderId);

    const waiting = card(page, "waiting-at-counter", orderId);
    await waiting.waitFor({ timeout: ARRIVES_MS });
    await page.mouse.move(0, 0); // no hover state in the picture
    await saveScreenshot(page, "counter");
    await waiting.getByRole("button", { name: "Collected" }).click();
    await page.locator(`.board-card[data-order-id="${orderId}"]`).waitFor({ state: "detached" });
    await pizza.waitForOrder(customer, orderId, "to be completed", (o) => o.status === "completed");
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
