import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, openPage, saveScreenshot, SCREENSHOTS, signInThroughPage } from "../support/browser";
import { pizzaClient, uniqueId } from "../support/pizza-client";
import { waitFor } from "../support/wait-for";

/**
 * The operator console in a real browser, against the system as `npm run dev` starts it (simulated
 * staff on, so orders run to completed by themselves): an operator redrives a dead letter and discards
 * it when it fails again, and reads an order's timeline as a sequence diagram.
 */
const baseUrl = inject("simulatedBaseUrl");
const pizza = pizzaClient(baseUrl);

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => browser?.close());

/** The console with an operator signed in through its demo sign-in form. */
async function openConsole(name: string) {
  const opened = await openPage(browser, baseUrl);
  await opened.page.goto("/console");
  await signInThroughPage(opened.page, name, "operator");
  await opened.page.locator("#sections").waitFor({ state: "visible" });
  return opened;
}

/**
 * An event whose source is not its type's producer: the router dead-letters it at once, and again each
 * time it is redriven. Its made-up source is in the reason, so the test's letter has a group of its own.
 */
function forgedEvent() {
  const source = `/contexts/console-test-${crypto.randomUUID()}`;
  const type = "com.plantbasedpizza.payments.refund-payment.v1";
  const event = {
    specversion: "1.0",
    id: uniqueId("forged"),
    source,
    type,
    time: new Date().toISOString(),
    datacontenttype: "application/json",
    dataschema: `https://plantbasedpizza.dev/schemas/events/${type}.json`,
    traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    causationid: "browser-console-test",
    data: { orderId: crypto.randomUUID(), reason: "a test of the console" },
  };
  return { event, reason: `source ${source} is not the producer of ${type} (/contexts/orders)` };
}

describe("the operator console", () => {
  it("redrives a dead letter from its reason group, shows it failing again, and discards it", async () => {
    const operator = await pizza.token(uniqueId("operator"), "operator");
    const { event, reason } = forgedEvent();
    expect((await pizza.putOnBus(operator, event)).status).toBe(202);
    const letter = await waitFor("the forged event among the dead letters", async () => {
      const { body } = await pizza.deadLetters(operator);
      return body.deadLetters.find((l) => l.eventId === event.id && l.state === "waiting");
    });

    const { page, problems } = await openConsole("Test Operator");
    const group = page.locator(".dl-group").filter({ hasText: reason });
    await group.waitFor();
    expect(await group.locator(".waiting-count").textContent()).toBe("1 waiting");
    await group.getByRole("button", { name: "Show letters" }).click();
    const row = group.locator(`tr[data-message-id="${letter.messageId}"]`);
    await row.waitFor();
    await page.mouse.move(0, 0); // no hover state in the picture
    await saveScreenshot(page, "console");

    await group.getByRole("button", { name: "Redrive it" }).click();
    const notice = page.locator("#notice");
    await notice.waitFor({ state: "visible" });
    expect(await notice.textContent()).toMatch(/^1 letter scheduled to go back/);
    // The letter left the waiting group: it was sent back to the bus, whatever happens to it there.
    await page.locator(`tr[data-message-id="${letter.messageId}"]`).waitFor({ state: "detached" });
    const waiting = await pizza.call("GET", "/ops/dead-letters?state=waiting&limit=500", { token: operator });
    expect(waiting.body.deadLetters.map((l: { messageId: string }) => l.messageId)).not.toContain(
      letter.messageId,
    );

    // Sent back unchanged, the forged event fails again: filed anew, as a repeated failure.
    const again = await waitFor("the redriven event to fail again", async () => {
      const { body } = await pizza.deadLetters(operator);
      return body.deadLetters.find((l) => l.eventId === event.id && l.repeatedFailure);
    });
    expect(again.messageId).not.toBe(letter.messageId);
    await page.getByRole("button", { name: "Refresh" }).click();
    await group.locator(".tag", { hasText: "failed again after a redrive" }).waitFor();

    // Nothing to fix in a forged event: discard it, with the reason.
    await group.getByRole("button", { name: "Discard…" }).click();
    await group.getByLabel("Reason for discarding").fill("a test event: nothing to fix");
    await group.getByRole("button", { name: "Discard it" }).click();
    await group.waitFor({ state: "detached" });
    expect(await notice.textContent()).toMatch(/^1 letter discarded/);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it("draws an order's timeline: every context's lifeline, an arrow per handling, causes and effects, the trace", async () => {
    const customer = await pizza.token(uniqueId("rosa"));
    const submitted = await pizza.submitOrder(customer, {
      items: [{ recipeId: "margherita", quantity: 1 }],
      fulfilment: "collection",
    });
    expect(submitted.status).toBe(202);
    const orderId: string = submitted.body.orderId;
    const traceId = submitted.headers.get("traceparent")?.split("-")[1];
    await pizza.waitForOrder(customer, orderId, "to be completed", (o) => o.status === "completed", 90_000);

    const { page, problems } = await openConsole("Test Operator");
    await page.getByLabel("Order id").fill(orderId);
    await page.getByRole("button", { name: "Show timeline" }).click();
    const diagram = page.locator("#timeline svg.sequence");
    await diagram.waitFor();

    const lanes = await diagram.locator(".lane-name").allTextContents();
    expect(lanes).toEqual(expect.arrayContaining(["orders", "payments", "kitchen", "collection"]));
    const labels = await diagram.locator(".event .label").allTextContents();
    for (const words of [
      "Order submitted",
      "Take payment",
      "Payment taken",
      "Preparation started",
      "Pizza baked",
      "Quality checked",
      "Ready for collection",
      "Collected",
    ])
      expect(labels).toContain(words);
    // An arrow per context that handled an event: payments took the payment command.
    const row = (words: string) =>
      diagram
        .locator(".event")
        .filter({ has: page.locator(".label", { hasText: new RegExp(`^${words}$`) }) });
    const takePayment = row("Take payment");
    expect(await takePayment.locator('.arrow[data-context="payments"]').count()).toBe(1);
    expect(await takePayment.locator(".note").first().textContent()).toMatch(/^\d+ attempts?/);

    // Selecting "Payment taken" lights up its cause (the command) and its effects (the confirmation).
    await row("Payment taken").click();
    expect(await diagram.locator(".event.cause .label").allTextContents()).toEqual(["Take payment"]);
    expect((await diagram.locator(".event.effect .label").allTextContents()).join()).toMatch(
      /Order confirmed/,
    );
    expect(await page.locator(".event-details .caused-by").textContent()).toContain("Take payment");
    if (traceId) expect(await page.locator(".traces").textContent()).toContain(traceId);

    // The diagram's own panel, cut from the whole page (on the whole console it would be small; an
    // element screenshot would have the sticky header over it).
    const panel = await page.locator("section", { has: page.locator("#timeline") }).evaluate((section) => {
      const r = section.getBoundingClientRect();
      return { x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height };
    });
    await page.mouse.move(0, 0);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({
      path: join(SCREENSHOTS, "timeline.png"),
      fullPage: true,
      clip: panel,
      animations: "disabled",
    });
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
