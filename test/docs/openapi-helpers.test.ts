import { z } from "@hono/zod-openapi";
import { compileErrors, validate } from "@readme/openapi-parser";
import { describe, expect, it } from "vitest";
import {
  apiRoute,
  json,
  LIVE_PROTOCOL,
  OrderIdParams,
  openApiApp,
  openApiDocument,
  serve,
  webSocketRoute,
} from "../../shared/http/openapi";

/**
 * The helpers every route of the public origin is declared with (shared/http/openapi.ts), on their own:
 * a WebSocket route and an ordinary one make a valid OpenAPI 3.1 document, and a served route answers
 * bad input in our error shape (errors.ts), never the library's.
 */
const Hello = z.object({ name: z.string().min(1).max(40) });

const hello = apiRoute(
  {
    method: "post",
    path: "/hello/{orderId}",
    tags: ["Test"],
    request: {
      params: OrderIdParams,
      body: { required: true, content: { "application/json": { schema: Hello } } },
    },
    responses: { 200: json(z.object({ said: z.string() }), "Said.") },
  },
  { roles: ["customer"], invalid: "The greeting is not valid." },
  404,
);

const live = webSocketRoute(
  {
    path: "/orders/{orderId}/live",
    tags: ["Test"],
    summary: "Live order status",
    request: { params: OrderIdParams },
    messages: z.object({ type: z.literal("order"), order: z.object({ orderId: z.string() }) }),
    messagesSay: '`{ type: "order", order }` on connect and after every change.',
  },
  { roles: ["customer"] },
  404,
);

describe("the contract helpers", () => {
  it("make a valid OpenAPI 3.1 document, a WebSocket route included", async () => {
    const document = openApiDocument([hello, live], { title: "t", version: "1", description: "d" }, []);
    const result = await validate(structuredClone(document) as never);
    expect(result.valid, result.valid ? "" : compileErrors(result)).toBe(true);
    const socket = (document.paths as any)["/orders/{orderId}/live"].get;
    expect(Object.keys(socket.responses).sort()).toEqual(["101", "401", "403", "404", "426", "429"]);
    expect(socket["x-websocket"]).toMatchObject({ subprotocol: LIVE_PROTOCOL });
    expect(socket["x-roles"]).toEqual(["customer"]);
    const post = (document.paths as any)["/hello/{orderId}"].post;
    expect(Object.keys(post.responses).sort()).toEqual([
      "200",
      "400",
      "401",
      "403",
      "404",
      "413",
      "415",
      "429",
    ]);
  });

  it("answer bad input in our error shape: 415, 400 invalid_json, 400 validation_failed with the fields", async () => {
    const app = serve(openApiApp(), hello, async (c) =>
      c.json({ said: `hello ${c.req.valid("json").name}` }),
    );
    const post = (body: string, type = "application/json") =>
      app.request("/hello/x", { method: "POST", body, headers: { "Content-Type": type } });

    expect(await (await post('{"name":"Ada"}')).json()).toEqual({ said: "hello Ada" });
    const notJson = await post("name=Ada", "text/plain");
    expect(notJson.status).toBe(415);
    expect(await notJson.json()).toMatchObject({ error: "unsupported_media_type" });
    const broken = await post("{");
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ error: "invalid_json" });
    const invalid = await post('{"name":""}');
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toEqual({
      error: "validation_failed",
      message: "The greeting is not valid.",
      issues: [{ field: "name", reason: expect.any(String) }],
    });
  });
});
