import { z, type OpenAPIHono, type RouteConfig } from "@hono/zod-openapi";
import { apiRoute, declaredRoutes, json, openApiDocument, routesOf } from "../../../shared/http/openapi";
import { analyticsRoutes } from "../../analytics/revenue-api-routes";
import { collectionRoutes } from "../../collection/counter-api-routes";
import { customersRoutes } from "../../customers/addresses-api-routes";
import { deliveryRoutes } from "../../delivery/drivers-api-routes";
import { kitchenRoutes } from "../../kitchen/staff-api-routes";
import { loyaltyRoutes } from "../../loyalty/loyalty-api-routes";
import { newRoutes, type OrdersApp } from "./app";

/**
 * The HTTP contract of the public origin: GET /openapi.json, an OpenAPI 3.1 document generated from the
 * zod schemas that validate each route (shared/http/openapi.ts), and GET /reference, the same document
 * as a page people can read. It holds this worker's own routes and those of every context API the
 * gateway serves (gateway.ts), declared beside each context's handlers in its `*-api-routes.ts`.
 */

/** The context APIs behind the gateway, as each context declares them. */
export const CONTEXT_ROUTES: readonly RouteConfig[] = [
  ...kitchenRoutes,
  ...deliveryRoutes,
  ...collectionRoutes,
  ...customersRoutes,
  ...loyaltyRoutes,
  ...analyticsRoutes,
];

const INFO = {
  title: "Plant Based Pizza",
  version: "1",
  description:
    "One origin for every part of the business. Every error is JSON: `{ error, message, issues?: [{ field, " +
    "reason }] }`. Protected routes need a bearer JWT whose role the route names (`x-roles`). Each caller " +
    "may send 30 commands (POST) and 120 reads (GET) per 10 seconds, then `429` with `Retry-After`. " +
    "The events behind it all: GET /catalog. The storefront and the staff and operators' pages are " +
    "static files from `/` (not part of this API); the API's index is GET /api.",
};

const TAGS = [
  { name: "Menu", description: "What can be ordered, at what price." },
  { name: "Orders", description: "A customer's orders: submit, follow, cancel." },
  { name: "Customers", description: "A customer's delivery addresses." },
  { name: "Loyalty", description: "A customer's points." },
  { name: "Kitchen", description: "The cooks' steps." },
  { name: "Delivery", description: "The drivers' steps." },
  { name: "Collection", description: "The counter." },
  { name: "Analytics", description: "Figures for analysts." },
  { name: "Operations", description: "Dead letters, queues, deprecations and replays, for operators." },
  { name: "Event schemas", description: "Each event's JSON Schema." },
  { name: "Event catalog", description: "The events for people, and as AsyncAPI." },
  { name: "Contract", description: "This document." },
];

const contractDocument = apiRoute(
  {
    method: "get",
    path: "/openapi.json",
    tags: ["Contract"],
    summary: "This API as an OpenAPI 3.1 document",
    responses: { 200: json(z.record(z.string(), z.unknown()), "The OpenAPI 3.1 document.") },
  },
  { roles: "anyone" },
);

const referencePage = apiRoute(
  {
    method: "get",
    path: "/reference",
    tags: ["Contract"],
    summary: "This API as a page people can read",
    responses: { 200: { description: "An HTML page.", content: { "text/html": { schema: z.string() } } } },
  },
  { roles: "anyone" },
);

/** The document of `api` (all it mounted) and the context APIs; built once per isolate, from code only. */
export type ContractDocument = ReturnType<typeof openApiDocument>;
let built: { document: ContractDocument; page: string; policy: Promise<string> } | undefined;
function contract(api: () => OpenAPIHono<OrdersApp>) {
  if (!built) {
    const document = openApiDocument([...declaredRoutes(api()), ...CONTEXT_ROUTES], INFO, TAGS);
    built = { document, page: renderReference(document), policy: contentSecurityPolicy() };
  }
  return built;
}

/** The page has no script and one inline stylesheet: the policy allows exactly that stylesheet. */
async function contentSecurityPolicy(): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(REFERENCE_CSS));
  const hash = btoa(String.fromCharCode(...new Uint8Array(digest)));
  return `default-src 'none'; style-src 'sha256-${hash}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
}

/** GET /openapi.json and GET /reference for the app `api` (a function: the app mounts these routes). */
export function referenceRoutes(api: () => OpenAPIHono<OrdersApp>) {
  return routesOf(newRoutes())
    .serve(contractDocument, (c) => c.json(contract(api).document))
    .serve(referencePage, async (c) => {
      const { page, policy } = contract(api);
      c.header("Content-Security-Policy", await policy);
      c.header("X-Content-Type-Options", "nosniff");
      return c.html(page);
    }).app;
}

// ---------------------------------------------------------------------------------------------------
// The page: every operation by tag, with its roles, parameters, body, responses and their shapes.

type Json = Record<string, any>;

const escape = (text: unknown) =>
  String(text).replace(
    /[&<>"']/g,
    (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!,
  );

/** Markdown-lite: `code` and paragraphs, everything else as text. */
const prose = (text: string | undefined) =>
  (text ?? "")
    .split(/\n{2,}/)
    .filter(Boolean)
    .map((p) => `<p>${escape(p).replace(/`([^`]+)`/g, "<code>$1</code>")}</p>`)
    .join("");

const METHODS = ["get", "post", "put", "patch", "delete"] as const;

/** A schema as a short type: `string`, `array of Ticket`, `"a" | "b"`. */
function typeOf(schema: Json | undefined, doc: Json): string {
  if (!schema) return "any";
  if (schema.$ref) return String(schema.$ref).split("/").pop()!;
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) return schema.enum.map((v: unknown) => JSON.stringify(v)).join(" | ");
  if (schema.anyOf || schema.oneOf)
    return (schema.anyOf ?? schema.oneOf).map((s: Json) => typeOf(s, doc)).join(" | ");
  const type = Array.isArray(schema.type) ? schema.type.join(" | ") : schema.type;
  if (type === "array") return `array of ${typeOf(schema.items, doc)}`;
  if (schema.format) return `${type} (${schema.format})`;
  return type ?? "any";
}

/** The fields of an object schema (its $ref resolved), nested, each with its type and whether required. */
function fields(schema: Json | undefined, doc: Json, seen: Set<string> = new Set(), depth = 0): string {
  if (!schema || depth > 6) return "";
  if (schema.$ref) {
    const name = String(schema.$ref).split("/").pop()!;
    if (seen.has(name)) return "";
    return fields(doc.components?.schemas?.[name], doc, new Set([...seen, name]), depth);
  }
  if (schema.type === "array") return fields(schema.items, doc, seen, depth);
  const properties = schema.properties as Record<string, Json> | undefined;
  if (!properties) return "";
  const required = new Set<string>(schema.required ?? []);
  const rows = Object.entries(properties).map(([name, property]) => {
    const notes = [
      required.has(name) ? "" : "optional",
      property.minLength !== undefined ? `min length ${property.minLength}` : "",
      property.maxLength !== undefined ? `max length ${property.maxLength}` : "",
      property.minimum !== undefined ? `≥ ${property.minimum}` : "",
      property.maximum !== undefined ? `≤ ${property.maximum}` : "",
      property.maxItems !== undefined ? `at most ${property.maxItems}` : "",
      property.pattern ? `pattern ${property.pattern}` : "",
    ].filter(Boolean);
    return (
      `<li><code>${escape(name)}</code> <span class="type">${escape(typeOf(property, doc))}</span>` +
      (notes.length ? ` <span class="notes">${escape(notes.join(", "))}</span>` : "") +
      (property.description ? ` — ${escape(property.description)}` : "") +
      fields(property, doc, seen, depth + 1) +
      "</li>"
    );
  });
  return `<ul class="fields">${rows.join("")}</ul>`;
}

function shape(content: Json | undefined, doc: Json): string {
  if (!content) return "";
  return Object.entries(content as Record<string, Json>)
    .map(
      ([mediaType, media]: [string, Json]) =>
        `<div class="media"><span class="type">${escape(mediaType)}</span> ${escape(typeOf(media.schema, doc))}` +
        fields(media.schema, doc) +
        (media.example ? `<pre>${escape(JSON.stringify(media.example, null, 2))}</pre>` : "") +
        "</div>",
    )
    .join("");
}

function operationHtml(method: string, path: string, op: Json, doc: Json): string {
  const roles: string[] | undefined = op["x-roles"];
  const parameters: Json[] = op.parameters ?? [];
  const id = `${method}-${path}`.replace(/[^a-zA-Z0-9]+/g, "-");
  return `<article id="${escape(id)}">
<h3><span class="method ${method}">${method.toUpperCase()}</span> <code>${escape(path)}</code></h3>
<p class="summary">${escape(op.summary ?? "")}</p>
<p class="who">${roles ? `Bearer token, role ${roles.map((r) => `<b>${escape(r)}</b>`).join(" or ")}` : "Public"}${op["x-websocket"] ? " · WebSocket" : ""}</p>
${prose(op.description)}
${
  parameters.length
    ? `<h4>Parameters</h4><table><tr><th>Name</th><th>In</th><th>Type</th><th></th></tr>${parameters
        .map(
          (p) =>
            `<tr><td><code>${escape(p.name)}</code>${p.required ? "" : " <span class=notes>optional</span>"}</td><td>${escape(p.in)}</td><td>${escape(typeOf(p.schema, doc))}</td><td>${escape(p.description ?? p.schema?.description ?? "")}</td></tr>`,
        )
        .join("")}</table>`
    : ""
}
${op.requestBody ? `<h4>Request body</h4>${shape(op.requestBody.content, doc)}` : ""}
<h4>Responses</h4>
<dl class="responses">${Object.entries((op.responses ?? {}) as Record<string, Json>)
    .map(
      ([status, response]: [string, Json]) =>
        `<dt class="s${status[0]}">${escape(status)}</dt><dd>${prose(response.description)}${
          Number(status) < 400 ? shape(response.content, doc) : ""
        }</dd>`,
    )
    .join("")}</dl>
</article>`;
}

/** The whole page, from the document alone. */
export function renderReference(doc: Json): string {
  const operations = Object.entries((doc.paths ?? {}) as Record<string, Json>).flatMap(
    ([path, item]: [string, Json]) =>
      METHODS.filter((m) => item[m]).map((method) => ({ method, path, op: item[method] as Json })),
  );
  const tags: { name: string; description?: string }[] = [...(doc.tags ?? [])];
  for (const { op } of operations)
    for (const tag of op.tags ?? ["Other"]) if (!tags.some((t) => t.name === tag)) tags.push({ name: tag });
  const sections = tags
    .map((tag) => {
      const ops = operations.filter(({ op }) => (op.tags ?? ["Other"]).includes(tag.name));
      if (!ops.length) return "";
      const anchor = tag.name.replace(/[^a-zA-Z0-9]+/g, "-");
      return `<section id="${escape(anchor)}"><h2>${escape(tag.name)}</h2>${prose(tag.description)}${ops
        .map(({ method, path, op }) => operationHtml(method, path, op, doc))
        .join("\n")}</section>`;
    })
    .join("\n");
  const errorShape = fields({ $ref: "#/components/schemas/Error" }, doc);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(doc.info?.title)}: the HTTP API</title>
<style>${REFERENCE_CSS}</style></head>
<body><header><h1>${escape(doc.info?.title)}: the HTTP API</h1>${prose(doc.info?.description)}
<p>The same as OpenAPI ${escape(doc.openapi)}: <a href="/openapi.json">/openapi.json</a>.</p>
<h4>Every error</h4>${errorShape}
<nav>${tags
    .filter((t) => operations.some(({ op }) => (op.tags ?? ["Other"]).includes(t.name)))
    .map((t) => `<a href="#${escape(t.name.replace(/[^a-zA-Z0-9]+/g, "-"))}">${escape(t.name)}</a>`)
    .join(" · ")}</nav></header>
<main>${sections}</main></body></html>`;
}

export const REFERENCE_CSS = `
body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem;color:#1d2a1f}
h1{color:#2f6b35}h2{border-bottom:2px solid #2f6b35;margin-top:2.5rem}
article{border:1px solid #d5e2d5;border-radius:6px;padding:.25rem 1rem;margin:1rem 0}
h3{font-size:1.05rem}h4{margin:.75rem 0 .25rem}
.method{display:inline-block;min-width:3.5rem;text-align:center;border-radius:4px;color:#fff;padding:0 .4rem;font-size:.85rem}
.get{background:#2f6b35}.post{background:#8a4b0f}.put,.patch{background:#4b3f8a}.delete{background:#8a1f1f}
.who{color:#555;font-size:.9rem}.type{color:#4b3f8a;font-family:ui-monospace,monospace;font-size:.85rem}
.notes{color:#777;font-size:.85rem}code{font-family:ui-monospace,monospace}
table{border-collapse:collapse}td,th{border-bottom:1px solid #e4ece4;padding:.2rem .6rem;text-align:left;vertical-align:top}
dl.responses{display:grid;grid-template-columns:4rem 1fr;margin:0}dt{font-weight:bold}dd{margin:0}
dd p{margin:.1rem 0}.s2{color:#2f6b35}.s1{color:#4b3f8a}.s4,.s5{color:#8a1f1f}
ul.fields{margin:.2rem 0;padding-left:1.2rem}pre{background:#f3f7f3;padding:.5rem;overflow:auto}
nav{margin:1rem 0}
`;
