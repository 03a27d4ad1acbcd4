import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { buildAsyncApi } from "../../shared/events/asyncapi";
import { eventTypes } from "../../shared/events/registry";
import { subscriptions } from "../../workers/router/routing-table";

/** The event catalog the orders worker serves: a page, the AsyncAPI document, every version's JSON Schema. */
const api = (path: string) => exports.default.fetch(new Request(`https://pizza.test${path}`));

describe("GET /catalog", () => {
  it("is a server-rendered HTML page of every event, with no script allowed", async () => {
    const res = await api("/catalog");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
    const csp = res.headers.get("Content-Security-Policy")!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/]+=*'/);
    expect(csp).not.toContain("script-src");
    const html = await res.text();
    expect(html).not.toContain("<script");
    for (const type of eventTypes) {
      expect(html, type).toMatch(
        new RegExp(`<article class="version [a-z-]+" id="${type.replaceAll(".", "\\.")}">`),
      );
      expect(html, type).toContain(`<a href="/schemas/events/${type}.json">`);
    }
    // Both deprecated versions, on the timeline with today marked.
    const timeline = html.slice(html.indexOf('<section id="timeline">'));
    for (const type of ["com.plantbasedpizza.order.confirmed.v1", "com.plantbasedpizza.order.completed.v1"]) {
      expect(html).toMatch(new RegExp(`<article class="version (deprecated|past-sunset)" id="${type}">`));
      expect(timeline.slice(0, timeline.indexOf("</section>"))).toContain(
        `<a href="#${type}" title="${type}">`,
      );
    }
    expect(timeline).toMatch(/today \d{4}-\d{2}-\d{2}/);
  });

  it("is listed in the API's index", async () => {
    expect(await (await api("/api")).json()).toMatchObject({ catalog: "/catalog" });
  });
});

describe("GET /catalog/asyncapi.json", () => {
  it("is the AsyncAPI document the registry and the subscriptions build (docs/asyncapi.json)", async () => {
    const res = await api("/catalog/asyncapi.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
    expect(await res.json()).toEqual(buildAsyncApi(subscriptions));
  });
});

describe("GET /schemas/events/{type}.json for every version", () => {
  it("says a deprecated version is deprecated, with its sunset, and the version replacing it is not", async () => {
    const v1 = await api("/schemas/events/com.plantbasedpizza.order.confirmed.v1.json");
    expect(v1.status).toBe(200);
    const deprecated = await v1.json<{ deprecated?: boolean; description: string; $id: string }>();
    expect(deprecated.$id).toBe(
      "https://plantbasedpizza.dev/schemas/events/com.plantbasedpizza.order.confirmed.v1.json",
    );
    expect(deprecated.deprecated).toBe(true);
    expect(deprecated.description).toContain("sunset 2027-03-31");
    expect(deprecated.description).toContain("com.plantbasedpizza.order.confirmed.v2");

    const v2 = await api("/schemas/events/com.plantbasedpizza.order.confirmed.v2.json");
    expect(v2.status).toBe(200);
    const active = await v2.json<{
      deprecated?: boolean;
      type: string;
      properties: Record<string, unknown>;
    }>();
    expect(active.deprecated).toBeUndefined();
    expect(active.type).toBe("object");
    expect(Object.keys(active.properties)).toContain("total");
  });

  it("lists each version with its deprecation", async () => {
    const { events } = await (
      await api("/schemas/events")
    ).json<{ events: { type: string; version: number; deprecation?: { sunset: string } }[] }>();
    const byType = Object.fromEntries(events.map((e) => [e.type, e]));
    expect(byType["com.plantbasedpizza.order.completed.v1"]!.deprecation?.sunset).toBe(
      "2027-03-31T00:00:00Z",
    );
    expect(byType["com.plantbasedpizza.order.completed.v2"]).toMatchObject({ version: 2 });
    expect(byType["com.plantbasedpizza.order.completed.v2"]!.deprecation).toBeUndefined();
  });
});
