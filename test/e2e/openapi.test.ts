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
      expect.arrayContaining(["/orders", "/menu", "/kitchen/tickets/{orderId}", "/loyalty/me"]),
    );
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
