import { describe, expect, it } from "vitest";
import { defineSubscription, type SubscriptionBase } from "../../shared/bus/subscription";
import { escapeHtml, renderCatalogPage } from "../../shared/events/catalog-page";
import { deprecationOf, eventTypes, registry, versionOf } from "../../shared/events/registry";
import { subscriptions } from "../../workers/router/routing-table";

/** The catalog page (GET /catalog), rendered in Node from the registry, the subscriptions and a moment. */
const today = new Date("2026-12-01T09:30:00Z");
const page = (subs: readonly SubscriptionBase[] = subscriptions, now: Date = today) =>
  renderCatalogPage(subs, now);

/** The markup of one version's article (its id is the type). */
function articleOf(html: string, type: string): string {
  const start = html.indexOf(`<article class="version`, html.indexOf(`id="${type}"`) - 60);
  expect(start, type).toBeGreaterThan(-1);
  return html.slice(start, html.indexOf("</article>", start));
}

const CONFIRMED_V1 = "com.plantbasedpizza.order.confirmed.v1";
const COMPLETED_V1 = "com.plantbasedpizza.order.completed.v1";

describe("the catalog page", () => {
  it("is one HTML document with no script and no external asset", () => {
    const html = page();
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).not.toMatch(/<script|<link|<img|src=|@import|url\(/i);
    expect(html).toContain('<a href="/catalog/asyncapi.json">');
  });

  it("lists every type and version, grouped by family, each with its producer, shape, example and JSON Schema", () => {
    const html = page();
    for (const type of eventTypes) {
      const { family, version } = versionOf(type);
      expect(html, family).toContain(`<section class="family" id="${family}">`);
      const article = articleOf(html, type);
      expect(article).toContain(`<code>${type}</code> <span class="badge v">v${version}</span>`);
      expect(article).toContain(escapeHtml(registry[type].summary));
      expect(article).toContain(`<dt>Producer</dt><dd>${registry[type].producer} `);
      expect(article).toMatch(
        /<dt>Shape<\/dt><dd><strong>(Event-carried state transfer|Notification|Wider identifiers|Asynchronous command)<\/strong>/,
      );
      expect(article).toContain(`<a href="/schemas/events/${type}.json">`);
      expect(article).toContain(escapeHtml(JSON.stringify(registry[type].example, null, 2)));
      expect(article).toContain(
        deprecationOf(type) ? "badge deprecated" : '<span class="badge">active</span>',
      );
    }
    // One family, two versions, newest first.
    const confirmed = html.indexOf('id="com.plantbasedpizza.order.confirmed"');
    expect(html.indexOf(`id="com.plantbasedpizza.order.confirmed.v2"`)).toBeGreaterThan(confirmed);
    expect(html.indexOf(`id="${CONFIRMED_V1}"`)).toBeGreaterThan(
      html.indexOf(`id="com.plantbasedpizza.order.confirmed.v2"`),
    );
  });

  it("names every subscriber of a version with its reason", () => {
    const html = page();
    for (const s of subscriptions) {
      for (const [type, reason] of Object.entries(s.events)) {
        expect(articleOf(html, type), `${s.subscriber} ${type}`).toContain(
          `<strong>${s.subscriber}</strong> (queue <code>${s.queue}</code>): ${escapeHtml(reason!)}</li>`,
        );
      }
    }
    // Nobody subscribing: a new version has nobody yet, a deprecated one nobody left.
    const unread = page([]);
    expect(articleOf(unread, "com.plantbasedpizza.order.submitted.v1")).toContain("none yet");
    expect(articleOf(unread, CONFIRMED_V1)).toContain("none left: every subscriber has moved");
  });

  it("shows each deprecated version's since, sunset, replacement and migration, and a timeline with today", () => {
    const html = page();
    const timeline = html.slice(
      html.indexOf('<section id="timeline">'),
      html.indexOf("</section>", html.indexOf('<section id="timeline">')),
    );
    for (const type of [CONFIRMED_V1, COMPLETED_V1] as const) {
      const d = deprecationOf(type)!;
      const article = articleOf(html, type);
      expect(article).toContain('<span class="badge deprecated">deprecated</span>');
      expect(article).toContain(`Since ${d.since.slice(0, 10)}`);
      expect(article).toContain(`sunset ${d.sunset.slice(0, 10)}`);
      expect(article).toContain(`<a href="#${d.replacedBy}"><code>${d.replacedBy}</code></a>`);
      expect(article).toContain(`<a href="${d.migration}">`);
      expect(article).toContain("Derived from");
      expect(article).toContain("<svg");
      // The timeline: a bar from since to sunset, today marked, on a row of its own.
      expect(timeline).toContain(`<a href="#${type}" title="${type}">`);
      expect(timeline).toContain(`<a href="#${d.replacedBy}" title="${d.replacedBy}">`);
      expect(timeline).toContain(
        `aria-label="${type}: deprecated ${d.since.slice(0, 10)}, sunset ${d.sunset.slice(0, 10)}, today 2026-12-01"`,
      );
      expect(timeline).toContain(
        `since ${d.since.slice(0, 10)} · sunset ${d.sunset.slice(0, 10)} · 120 days to sunset`,
      );
    }
    expect(timeline.match(/<svg/g)).toHaveLength(
      eventTypes.filter((t) => deprecationOf(t) !== undefined).length,
    );
    expect(timeline).toContain("today 2026-12-01");
    // The versions replacing them say they are also published as the older one.
    expect(articleOf(html, "com.plantbasedpizza.order.confirmed.v2")).toContain("Also published as");
  });

  it("says when a deprecated version is past its sunset", () => {
    const html = page(subscriptions, new Date("2027-04-02T00:00:00Z"));
    for (const type of [CONFIRMED_V1, COMPLETED_V1]) {
      const article = articleOf(html, type);
      expect(article).toContain("deprecated, past its sunset");
      expect(article).toContain("no longer published, derived or routed");
    }
    expect(articleOf(html, "com.plantbasedpizza.order.confirmed.v2")).not.toContain("past its sunset</span>");
  });

  it("escapes every text it interpolates", () => {
    const sneaky = defineSubscription({
      subscriber: 'mallory"><b>',
      queue: "mallory-inbox",
      binding: "MALLORY_INBOX",
      deadLetterQueue: "mallory-inbox-dlq",
      events: {
        [CONFIRMED_V1]: "reads it <script>alert('x')</script> & more",
      },
      retry: { attempts: 5, firstDelaySeconds: 1, maxDelaySeconds: 300 },
      intake: { batchSize: 10, batchWaitSeconds: 1, concurrency: "auto" },
    });
    const html = page([...subscriptions, sneaky]);
    expect(html).not.toContain("<script>");
    expect(html).not.toContain('mallory"><b>');
    expect(articleOf(html, CONFIRMED_V1)).toContain(
      "<strong>mallory&quot;&gt;&lt;b&gt;</strong> (queue <code>mallory-inbox</code>): reads it &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more",
    );
    // The timeline names it among those still reading the deprecated version, escaped too.
    expect(html).toContain("mallory&quot;&gt;&lt;b&gt;");
  });
});
