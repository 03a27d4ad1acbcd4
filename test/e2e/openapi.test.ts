import { compileErrors, validate } from "@readme/openapi-parser";
import { describe, expect, inject, it } from "vitest";

/**
 * The HTTP contract as the running system serves it: GET /openapi.json is a valid OpenAPI 3.1 document
 * (@readme/openapi-parser: the 3.1 schema and its own rules, every $ref resolvable), and GET /reference
 * the page people read. That the document matches the routes served: test/orders/openapi.test.ts.
 */
const baseUrl = inject("baseUrl");

describe("the HTTP contract", () => {
  it("GET /openapi.json is a valid OpenAPI 3.1 document", async () => {
    const res = await fetch(`${baseUrl}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
    const document = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toBe("3.1.0");
    const result = await validate(structuredClone(document) as never);
    expect(result.valid, result.valid ? "" : compileErrors(result)).toBe(true);
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        "/orders",
        "/menu",
        "/kitchen/tickets/{orderId}",
        "/loyalty/me",
        "/orders/{orderId}/live",
        "/kitchen/tickets/live",
        "/ops/orders/{orderId}/timeline",
      ]),
    );
  });

  it("shows demo sign-in in a local build's document, saying it is for local builds only", async () => {
    const document = (await (await fetch(`${baseUrl}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { description: string; security: unknown[] }>>;
    };
    const signIn = document.paths["/dev/sign-in"]?.post;
    expect(signIn?.description).toContain("Local builds only");
    expect(signIn?.security).toEqual([]);
    // And it answers as declared: the one route of the document a deploy does not serve.
    const res = await fetch(`${baseUrl}/dev/sign-in`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ role: "customer", name: "" }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: "validation_failed",
      message: "The sign-in is not valid.",
      issues: [{ field: "name" }],
    });
  });

  it("GET /reference is an HTML page naming the routes", async () => {
    const res = await fetch(`${baseUrl}/reference`);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
    const html = await res.text();
    for (const path of ["/orders", "/orders/{orderId}/cancel", "/collection/orders/{orderId}/collected"])
      expect(html).toContain(`<code>${path}</code>`);
    expect(html).toContain('<a href="/openapi.json">');
  });
});
