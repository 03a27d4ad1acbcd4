import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { demoPrincipalId } from "../../workers/orders/api/sign-in";

/**
 * Demo sign-in hands a token to whoever types a name, so a deploy must not have it. This project's
 * build is not one made by `wrangler dev` (shared/local-life.ts), so it answers as a deploy does: 404,
 * for every role, before reading the body. That it signs people in locally is shown by
 * test/e2e/sign-in.test.ts and the browser tests.
 */
const signIn = (body: unknown) =>
  exports.default.fetch(
    new Request("https://pizza.test/dev/sign-in", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    }),
  );

describe("POST /dev/sign-in outside local life", () => {
  it.each(["customer", "staff", "operator"])("is 404 (JSON) for a %s", async (role) => {
    const res = await signIn({ role, name: "Mallory" });
    expect(res.status).toBe(404);
    expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
    expect(await res.json()).toMatchObject({ error: "not_found" });
  });
});

describe("the demo principal's id", () => {
  it("is the same for the same name and role, and readable", async () => {
    expect(await demoPrincipalId("customer", "Zoë  O'Brien")).toBe("demo-customer-zoe-o-brien");
    expect(await demoPrincipalId("customer", "Zoë  O'Brien")).toBe(
      await demoPrincipalId("customer", "zoe o brien"),
    );
  });

  it("differs by role, so a customer and a staff member of one name are two people", async () => {
    expect(await demoPrincipalId("staff", "Sam")).toBe("demo-staff-sam");
    expect(await demoPrincipalId("operator", "Sam")).not.toBe(await demoPrincipalId("staff", "Sam"));
  });

  it("is a stable hash for a name with no Latin letter or digit", async () => {
    const id = await demoPrincipalId("customer", "小明");
    expect(id).toMatch(/^demo-customer-[0-9a-f]{12}$/);
    expect(await demoPrincipalId("customer", "小明")).toBe(id);
    expect(await demoPrincipalId("customer", "小红")).not.toBe(id);
  });
});
