import { describe, expect, inject, it } from "vitest";
import { MAX_TOKEN_LIFETIME_SECONDS } from "../../shared/auth/token";
import { pizzaClient } from "../support/pizza-client";

/**
 * Demo sign-in (POST /dev/sign-in) as `npm run dev` serves it: a name and a role get a token the API
 * accepts, for that role only, living as long as the role may; the same name and role are the same
 * person again. (A deploy has no such route: test/orders/sign-in.test.ts.)
 */
const client = pizzaClient(inject("baseUrl"));
const signIn = (body: unknown) => client.call("POST", "/dev/sign-in", { body });
const someone = () => `Grace ${crypto.randomUUID().slice(0, 8)}`;

describe("POST /dev/sign-in in a local run", () => {
  it("signs a customer in with a token the API accepts for that customer", async () => {
    const name = someone();
    const res = await signIn({ role: "customer", name });
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const { token, principal, expiresAt } = res.body;
    expect(principal).toEqual({
      id: `demo-customer-${name.toLowerCase().replace(" ", "-")}`,
      role: "customer",
    });
    const lifetime = (Date.parse(expiresAt) - Date.now()) / 1000;
    expect(lifetime).toBeGreaterThan(MAX_TOKEN_LIFETIME_SECONDS.customer - 120);
    expect(lifetime).toBeLessThanOrEqual(MAX_TOKEN_LIFETIME_SECONDS.customer);

    const points = await client.loyalty(token);
    expect(points.status).toBe(200);
    expect(points.body.customerId).toBe(principal.id);
  });

  it("signs the same name and role in as the same person, and another role as someone else", async () => {
    const name = someone();
    const first = await signIn({ role: "customer", name });
    const again = await signIn({ role: "customer", name: `  ${name}  ` });
    const asStaff = await signIn({ role: "staff", name });
    expect(again.body.principal.id).toBe(first.body.principal.id);
    expect(asStaff.body.principal).toEqual({ id: expect.stringMatching(/^demo-staff-/), role: "staff" });
    expect(asStaff.body.principal.id).not.toBe(first.body.principal.id);
  });

  it("gives each role only its own endpoints", async () => {
    const staff = (await signIn({ role: "staff", name: someone() })).body.token;
    const operator = (await signIn({ role: "operator", name: someone() })).body.token;
    expect((await client.loyalty(staff)).status).toBe(403);
    expect((await client.call("GET", "/ops/deprecations", { token: operator })).status).toBe(200);
    expect((await client.call("GET", "/ops/deprecations", { token: staff })).status).toBe(403);
  });

  it("refuses a bad sign-in with each field's reason", async () => {
    const bad = await signIn({ role: "analyst", name: "" });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: "validation_failed" });
    expect(bad.body.issues.map((i: { field: string }) => i.field).sort()).toEqual(["name", "role"]);

    const long = await signIn({ role: "customer", name: "x".repeat(41) });
    expect(long.status).toBe(400);
    expect(long.body.issues).toEqual([{ field: "name", reason: "at most 40 characters" }]);

    const notJson = await client.call("POST", "/dev/sign-in", {
      body: "name=eve",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    expect(notJson.status).toBe(415);
  });
});
