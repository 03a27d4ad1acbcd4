import type { SubscriptionBase } from "../bus/subscription";
import { sourceOf } from "./envelope";
import {
  dataschemaFor,
  deprecationOf,
  downgrades,
  eventTypes,
  isPastSunset,
  registry,
  versionOf,
  type Deprecation,
  type EventShape,
  type EventType,
} from "./registry";

/**
 * The event catalog as one page people can read (GET /catalog on the orders worker): every event by
 * family and major version, its status in its life (active, deprecated, past its sunset), who publishes
 * it, who reads it and why, its shape in the talk's words, an example and its JSON Schema, and a
 * timeline of every deprecated version's migration window. Pure: the registry, the subscriptions and
 * the moment to draw "today" at go in, an HTML string comes out (no script, no external asset; every
 * interpolated text is escaped). The words it shares with docs/EVENTS.md, the AsyncAPI document and the
 * JSON Schemas (the shapes, a deprecation in one sentence) live here too.
 */

/** The four shapes of message the talk names, in its words. */
export const SHAPES: Record<EventShape, { title: string; explanation: string }> = {
  "state-transfer": {
    title: "Event-carried state transfer",
    explanation: "carries the state its consumers need, so none calls back",
  },
  notification: {
    title: "Notification",
    explanation: "identifiers and what happened, nothing more",
  },
  identifiers: {
    title: "Wider identifiers",
    explanation: "only ids (its own and others'); consumers resolve the rest from their own data",
  },
  command: {
    title: "Asynchronous command",
    explanation: "asks one context to do something; the outcome comes back as events",
  },
};

/** An RFC 3339 instant as its UTC day, `2027-03-31`. */
export function dayOf(instant: string | Date): string {
  return new Date(instant).toISOString().slice(0, 10);
}

/** A deprecation in one plain sentence (EVENTS.md, the AsyncAPI document, the JSON Schemas). */
export function deprecationSentence(d: Deprecation): string {
  return (
    `Deprecated since ${dayOf(d.since)}; sunset ${dayOf(d.sunset)} (${d.sunset}), after which it is no ` +
    `longer published, derived or routed. Replaced by ${d.replacedBy}. Migration: ${d.migration}`
  );
}

/** What to say of a version nobody subscribes to: a new one may have no subscriber yet; a deprecated one, none left. */
export function noConsumers(type: EventType): string {
  return deprecationOf(type)
    ? "none left: every subscriber has moved (the router acknowledges and logs it until the sunset)"
    : "none yet (the router acknowledges and logs it)";
}

// ---- Escaping: every interpolation is text unless it is markup built here -----------------------------

class Html {
  constructor(readonly value: string) {}
}
type Part = Html | string | number | false | null | undefined | readonly Part[];

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

function part(value: Part): string {
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(part).join("");
  if (value === false || value === null || value === undefined) return "";
  return escapeHtml(String(value));
}

/**
 * A template whose interpolations are escaped, except markup made by `markup` itself. (Not named `html`:
 * Prettier would reformat such templates as HTML.)
 */
function markup(strings: TemplateStringsArray, ...values: Part[]): Html {
  return new Html(strings.reduce((out, s, i) => out + part(values[i - 1]) + s));
}

/** Links only to http(s) (the migration URIs come from the registry; anything else stays text). */
const isWebLink = (uri: string) => /^https?:\/\//i.test(uri);

// ---- The page -----------------------------------------------------------------------------------------

/** The page's only style; the route allows exactly this stylesheet by its hash (CSP), and no script. */
export const CATALOG_CSS = `
:root{--fg:#1d2521;--muted:#5b665f;--bg:#fbfcfa;--card:#fff;--line:#dfe5df;--accent:#2f7d4f;--warn:#9a5b00;
--warn-bg:#fff4e0;--bad:#b42318;--bad-bg:#fdecea;--ok-bg:#e5f4ea;--code:#f2f5f1}
@media (prefers-color-scheme:dark){:root{--fg:#e4ebe6;--muted:#9aa8a0;--bg:#121714;--card:#19201c;--line:#2c3731;
--accent:#6fcf97;--warn:#f0b45a;--warn-bg:#33270f;--bad:#ff8a80;--bad-bg:#3a1a17;--ok-bg:#16301f;--code:#202a24}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
.page{max-width:1120px;margin:0 auto;padding:24px 20px 48px}
a{color:var(--accent)}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px}
code{overflow-wrap:anywhere}
code.nowrap{white-space:nowrap;overflow-wrap:normal}
.timeline-table td:nth-child(3){width:560px}
h1{margin:0 0 4px;font-size:28px}
h2{margin:32px 0 8px;font-size:21px}
h3{margin:0;font-size:16px;display:flex;flex-wrap:wrap;gap:8px;align-items:center}
.lead{color:var(--muted);margin:0 0 8px;max-width:80ch}
.links a{margin-right:14px}
nav ul{list-style:none;padding:0;margin:8px 0;columns:3 260px;column-gap:24px}
nav li{break-inside:avoid;padding:2px 0}
.badge{display:inline-block;border-radius:999px;padding:1px 9px;font-size:12px;font-weight:600;
background:var(--ok-bg);color:var(--accent);white-space:nowrap}
.badge.deprecated{background:var(--warn-bg);color:var(--warn)}
.badge.sunset{background:var(--bad-bg);color:var(--bad)}
.badge.v{background:var(--code);color:var(--fg);font-weight:500}
table{border-collapse:collapse;width:100%;background:var(--card);border:1px solid var(--line)}
th,td{text-align:left;vertical-align:top;padding:6px 10px;border-bottom:1px solid var(--line)}
th{font-size:13px;color:var(--muted);font-weight:600}
svg{display:block;max-width:100%;height:auto}
.family{margin-top:28px}
.family>h2{margin-bottom:2px}
.family>.full{color:var(--muted);margin:0 0 10px;font-size:13px}
.version{background:var(--card);border:1px solid var(--line);border-left:4px solid var(--accent);border-radius:8px;
padding:14px 16px;margin:10px 0}
.version.deprecated{border-left-color:var(--warn)}
.version.past-sunset{border-left-color:var(--bad)}
.version p{margin:6px 0}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 14px;margin:10px 0}
dt{color:var(--muted);font-weight:600}
dd{margin:0}
dd ul{margin:0;padding-left:18px}
.status{background:var(--warn-bg);border-radius:6px;padding:8px 12px;margin:8px 0}
.status.past-sunset{background:var(--bad-bg)}
.status p{margin:2px 0}
.shapes dt{color:var(--fg)}
details{margin-top:6px}
summary{cursor:pointer;color:var(--accent)}
pre{background:var(--code);border-radius:6px;padding:10px 12px;overflow:auto;margin:6px 0 0}
footer{margin-top:40px;color:var(--muted);font-size:13px}
`;

const DAY = 86_400_000;
const short = (type: string) => type.replace(/^com\.plantbasedpizza\./, "");

interface Family {
  name: string;
  versions: EventType[];
}

/** Families in the registry's order, each with its versions newest first. */
function familiesOf(types: readonly EventType[]): Family[] {
  const families = new Map<string, EventType[]>();
  for (const type of types) {
    const { family } = versionOf(type);
    families.set(family, [...(families.get(family) ?? []), type]);
  }
  return [...families].map(([name, versions]) => ({
    name,
    versions: versions.sort((a, b) => versionOf(b).version - versionOf(a).version),
  }));
}

type Status = "active" | "deprecated" | "past-sunset";
const statusOf = (type: EventType, now: Date): Status =>
  !deprecationOf(type) ? "active" : isPastSunset(type, now) ? "past-sunset" : "deprecated";

function statusBadge(type: EventType, now: Date): Html {
  switch (statusOf(type, now)) {
    case "active":
      return markup`<span class="badge">active</span>`;
    case "deprecated":
      return markup`<span class="badge deprecated">deprecated</span>`;
    case "past-sunset":
      return markup`<span class="badge sunset">deprecated, past its sunset</span>`;
  }
}

const link = (uri: string, text: string = uri) =>
  isWebLink(uri) ? markup`<a href="${uri}">${text}</a>` : text;
const typeLink = (type: string) => markup`<a href="#${type}"><code>${type}</code></a>`;
/** The same link, named without the common prefix (for the narrow timeline table). */
const shortTypeLink = (type: string) =>
  markup`<a href="#${type}" title="${type}"><code class="nowrap">${short(type)}</code></a>`;

function consumersOf(subscriptions: readonly SubscriptionBase[], type: EventType) {
  return subscriptions.filter((s) => Object.hasOwn(s.events, type));
}

function daysLeft(type: EventType, now: Date): string {
  const d = deprecationOf(type)!;
  const days = Math.ceil((Date.parse(d.sunset) - now.getTime()) / DAY);
  if (days <= 0) return "past its sunset: no longer published, derived or routed";
  const left = `${days} day${days === 1 ? "" : "s"} to sunset`;
  return now.getTime() < Date.parse(d.since) ? `deprecated from ${dayOf(d.since)}; ${left}` : left;
}

// ---- The deprecation timeline -------------------------------------------------------------------------

interface Span {
  from: number;
  to: number;
}

/** The span every timeline bar shares, so the bars line up: every deprecation window and today, padded. */
function timelineSpan(types: readonly EventType[], now: Date): Span {
  const instants = [now.getTime()];
  for (const type of types) {
    const d = deprecationOf(type)!;
    instants.push(Date.parse(d.since), Date.parse(d.sunset));
  }
  const from = Math.min(...instants);
  const to = Math.max(...instants);
  const pad = Math.max((to - from) * 0.08, 7 * DAY);
  return { from: from - pad, to: to + pad };
}

const BAR_WIDTH = 520;
const round = (n: number) => Math.round(n * 10) / 10;

/**
 * One deprecation window as a bar from `since` to `sunset` (the part already gone darker), with the
 * sunset and today marked: inline SVG whose geometry is in attributes, so it needs no style or script.
 */
function timelineBar(type: EventType, span: Span, now: Date): Html {
  const d = deprecationOf(type)!;
  const x = (t: number) => round(((t - span.from) / (span.to - span.from)) * BAR_WIDTH);
  const since = x(Date.parse(d.since));
  const sunset = x(Date.parse(d.sunset));
  const today = x(now.getTime());
  const gone = Math.min(Math.max(today, since), sunset);
  const anchor = (at: number) => (at < 60 ? "start" : at > BAR_WIDTH - 60 ? "end" : "middle");
  const label = `${type}: deprecated ${dayOf(d.since)}, sunset ${dayOf(d.sunset)}, today ${dayOf(now)}`;
  return markup`<svg class="timeline" viewBox="0 0 ${BAR_WIDTH} 48" width="${BAR_WIDTH}" height="48" role="img" aria-label="${label}">
<title>${label}</title>
<g font-family="system-ui,sans-serif" font-size="11">
<rect x="0" y="19" width="${BAR_WIDTH}" height="10" rx="5" fill="#8a968f" fill-opacity="0.2"/>
<rect x="${since}" y="19" width="${round(Math.max(sunset - since, 1))}" height="10" rx="5" fill="#e0a030" fill-opacity="0.5"/>
<rect x="${since}" y="19" width="${round(gone - since)}" height="10" rx="5" fill="#c77700"/>
<line x1="${sunset}" y1="14" x2="${sunset}" y2="34" stroke="#b42318" stroke-width="2"/>
<line x1="${today}" y1="14" x2="${today}" y2="34" stroke="#2f7d4f" stroke-width="2" stroke-dasharray="3 2"/>
<text x="${today}" y="10" text-anchor="${anchor(today)}" fill="#2f7d4f">today ${dayOf(now)}</text>
<text x="${since}" y="45" text-anchor="${anchor(since)}" fill="#8a968f">${dayOf(d.since)}</text>
<text x="${sunset}" y="45" text-anchor="${anchor(sunset)}" fill="#b42318">sunset ${dayOf(d.sunset)}</text>
</g>
</svg>`;
}

function timelineSection(
  deprecated: readonly EventType[],
  subscriptions: readonly SubscriptionBase[],
  span: Span,
  now: Date,
): Html {
  if (deprecated.length === 0)
    return markup`<section id="timeline"><h2>Deprecation timeline</h2><p class="lead">No version is deprecated.</p></section>`;
  const rows = deprecated.map((type) => {
    const d = deprecationOf(type)!;
    const readers = consumersOf(subscriptions, type).map((s) => s.subscriber);
    return markup`<tr>
<td>${shortTypeLink(type)}<br>${statusBadge(type, now)}</td>
<td>${shortTypeLink(d.replacedBy)}<br>${link(d.migration, "migration guide")}</td>
<td>${timelineBar(type, span, now)}<small>since ${dayOf(d.since)} · sunset ${dayOf(d.sunset)} · ${daysLeft(type, now)}</small></td>
<td>${readers.length ? readers.join(", ") : "nobody"}${
      readers.length > 0 &&
      isPastSunset(type, now) &&
      markup`<br><small>(receives nothing since the sunset)</small>`
    }</td>
</tr>`;
  });
  return markup`<section id="timeline">
<h2>Deprecation timeline</h2>
<p class="lead">A deprecated version stays published (derived from the version replacing it by a registered downgrade)
and routed until its sunset; its subscribers move before then.</p>
<table class="timeline-table">
<thead><tr><th>Version</th><th>Replaced by</th><th>From deprecation to sunset</th><th>Still read by</th></tr></thead>
<tbody>${rows}</tbody>
</table>
</section>`;
}

// ---- One version --------------------------------------------------------------------------------------

function deprecationBlock(type: EventType, span: Span, now: Date): Html | undefined {
  const d = deprecationOf(type);
  if (!d) return undefined;
  const past = isPastSunset(type, now);
  const derivedFrom = downgrades.filter((g) => g.to === type);
  return markup`<div class="status${past ? " past-sunset" : ""}">
<p><strong>${past ? "Deprecated, past its sunset." : "Deprecated."}</strong>
Since ${dayOf(d.since)}; sunset ${dayOf(d.sunset)} (${daysLeft(type, now)}).
Replaced by ${typeLink(d.replacedBy)}. Migration: ${link(d.migration)}.</p>
${derivedFrom.map(
  (
    g,
  ) => markup`<p>Derived from ${typeLink(g.from)} by a registered downgrade and published beside it, in the same
outbox transaction, until the sunset.</p>`,
)}
<p>Every event of this version carries the CloudEvents deprecation extension: <code>deprecated</code>,
<code>deprecationfrom</code>, <code>deprecationsunset</code>, <code>deprecationmigration</code>.</p>
${timelineBar(type, span, now)}
</div>`;
}

function consumersList(type: EventType, subscriptions: readonly SubscriptionBase[]): Html | string {
  const consumers = consumersOf(subscriptions, type);
  if (consumers.length === 0) return noConsumers(type);
  return markup`<ul>${consumers.map(
    (s) =>
      markup`<li class="consumer"><strong>${s.subscriber}</strong> (queue <code>${s.queue}</code>): ${s.events[type]}</li>`,
  )}</ul>`;
}

function alsoPublishedAs(type: EventType, now: Date): Html | undefined {
  const derived = downgrades.filter((g) => g.from === type);
  if (derived.length === 0) return undefined;
  return markup`<dt>Also published as</dt><dd>${derived.map(
    (g, i) =>
      markup`${i > 0 && ", "}${typeLink(g.to)} ${
        isPastSunset(g.to, now)
          ? "(no longer: past its sunset)"
          : `(derived by a registered downgrade, for its subscribers, until ${dayOf(deprecationOf(g.to)?.sunset ?? now)})`
      }`,
  )}</dd>`;
}

function versionArticle(
  type: EventType,
  subscriptions: readonly SubscriptionBase[],
  span: Span,
  now: Date,
): Html {
  const d = registry[type];
  const schemaPath = `/schemas/events/${type}.json`;
  return markup`<article class="version ${statusOf(type, now)}" id="${type}">
<h3><code>${type}</code> <span class="badge v">v${versionOf(type).version}</span> ${statusBadge(type, now)}</h3>
<p>${d.summary}</p>
${deprecationBlock(type, span, now)}
<dl>
<dt>Producer</dt><dd>${d.producer} (<code>source</code>: <code>${sourceOf(d.producer)}</code>)</dd>
<dt>Shape</dt><dd><strong>${SHAPES[d.shape].title}</strong>: ${SHAPES[d.shape].explanation}.</dd>
<dt>Consumers</dt><dd>${consumersList(type, subscriptions)}</dd>
${alsoPublishedAs(type, now)}
<dt>JSON Schema</dt><dd><a href="${schemaPath}">${schemaPath}</a> (its <code>dataschema</code>: <code>${dataschemaFor(type)}</code>)</dd>
</dl>
<details><summary>Example <code>data</code></summary><pre><code>${JSON.stringify(d.example, null, 2)}</code></pre></details>
</article>`;
}

// ---- The page -----------------------------------------------------------------------------------------

function contents(families: readonly Family[], now: Date): Html {
  return markup`<nav aria-label="Event families"><ul>${families.map(
    (f) =>
      markup`<li><a href="#${f.name}">${short(f.name)}</a> ${f.versions.map(
        (t) =>
          markup`<a class="badge ${statusOf(t, now) === "active" ? "v" : statusOf(t, now) === "deprecated" ? "deprecated" : "sunset"}" href="#${t}">v${versionOf(t).version}</a> `,
      )}</li>`,
  )}</ul></nav>`;
}

function shapesSection(): Html {
  return markup`<section id="shapes">
<h2>Shapes</h2>
<p class="lead">What an event carries, in the words of the talk this system follows.</p>
<dl class="shapes">${(Object.keys(SHAPES) as EventShape[]).map(
    (shape) => markup`<dt>${SHAPES[shape].title}</dt><dd>${SHAPES[shape].explanation}.</dd>`,
  )}</dl>
</section>`;
}

function familySection(
  family: Family,
  subscriptions: readonly SubscriptionBase[],
  span: Span,
  now: Date,
): Html {
  const count = family.versions.length;
  return markup`<section class="family" id="${family.name}">
<h2>${short(family.name)}</h2>
<p class="full"><code>${family.name}</code> · ${count} version${count === 1 ? "" : "s"}</p>
${family.versions.map((t) => versionArticle(t, subscriptions, span, now))}
</section>`;
}

/**
 * The catalog page. `subscriptions` say who reads what and why (workers/router/routing-table.ts in the
 * worker; anything in a test); `now` is where the timeline draws today and what decides "past its sunset".
 */
export function renderCatalogPage(subscriptions: readonly SubscriptionBase[], now: Date): string {
  const families = familiesOf(eventTypes);
  const deprecated = eventTypes.filter((t) => deprecationOf(t) !== undefined);
  const span = timelineSpan(deprecated, now);
  return markup`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Event catalog · Plant Based Pizza</title>
<style>${new Html(CATALOG_CSS)}</style>
</head>
<body>
<div class="page">
<header>
<h1>Plant Based Pizza: event catalog</h1>
<p class="lead">Every business event and asynchronous command, by family and major version: its status, who publishes
it, who reads it and why, what it carries, an example and its JSON Schema. Each travels in a CloudEvents 1.0 envelope;
producers send it to the bus, and the router forwards it to the own queue of every subscriber.</p>
<p class="lead">${eventTypes.length} versions in ${families.length} families, ${deprecated.length} deprecated. Generated
from the event registry and the subscriptions; today is ${dayOf(now)}.</p>
<p class="links"><a href="/catalog/asyncapi.json">AsyncAPI 3 document</a><a href="/schemas/events">JSON Schemas</a><a href="#timeline">Deprecation timeline</a><a href="#shapes">Shapes</a></p>
</header>
${contents(families, now)}
${timelineSection(deprecated, subscriptions, span, now)}
${shapesSection()}
<main>
${families.map((f) => familySection(f, subscriptions, span, now))}
</main>
<footer>Rendered from <code>shared/events/registry.ts</code> and every <code>workers/*/subscriptions.ts</code>; the
same events as an <a href="/catalog/asyncapi.json">AsyncAPI 3 document</a>.</footer>
</div>
</body>
</html>
`.value;
}
