// @ts-check
/**
 * An order's timeline (GET /ops/orders/{orderId}/timeline) drawn as a sequence diagram: one lifeline
 * per context, one row per event in time order, an arrow from the event's producer to every context
 * that handled it, labelled with the event in business words, its time, and how many attempts each
 * handling took. Selecting an event (hover, click or keyboard) highlights the event that caused it and
 * the events it caused, and links them in the left gutter, so a chain (submitted → take payment →
 * payment taken → confirmed → …) can be followed by eye.
 */
import { el } from "../app.js";
import { preciseClock } from "../staff/format.js";

/**
 * The timeline endpoint's contract (workers/orders/api/timeline.ts).
 * @typedef {{ context: string; at: string; attempts: number | null; outcome: string }} Handling
 * @typedef {{ id: string; type: string; source: string; producer: string; time: string;
 *   causationid?: string; traceparent?: string; handledBy: Handling[] }} TimelineEvent
 * @typedef {{ orderId: string; events: TimelineEvent[] }} Timeline
 */

/** The contexts in the order an order meets them, so arrows mostly run left to right. */
const CONTEXT_ORDER = [
  "orders",
  "payments",
  "kitchen",
  "delivery",
  "collection",
  "loyalty",
  "analytics",
  "customers",
];

/** Each event type (without its version) in the business's words. */
/** @type {Record<string, string>} */
const WORDS = {
  "order.submitted": "Order submitted",
  "payments.take-payment": "Take payment",
  "payments.void-payment": "Void payment",
  "payments.refund-payment": "Refund payment",
  "payment.taken": "Payment taken",
  "payment.failed": "Payment failed",
  "payment.voided": "Payment voided",
  "payment.refunded": "Payment refunded",
  "order.confirmed": "Order confirmed",
  "kitchen.preparation-started": "Preparation started",
  "kitchen.pizza-baked": "Pizza baked",
  "kitchen.quality-checked": "Quality checked",
  "kitchen.ticket-withdrawn": "Ticket withdrawn",
  "order.ready-for-delivery": "Ready for delivery",
  "order.ready-for-collection": "Ready for collection",
  "delivery.driver-assigned": "Driver assigned",
  "delivery.order-collected-by-driver": "Collected by driver",
  "delivery.order-delivered": "Delivered",
  "collection.order-collected": "Collected",
  "order.completed": "Order completed",
  "order.cancelled": "Order cancelled",
  "loyalty.points-awarded": "Points awarded",
  "customer.address-added": "Address added",
};

/** "Payment taken", "Order confirmed (v2)": an event type as the business says it. */
export function eventWords(/** @type {string} */ type) {
  const match = /^com\.plantbasedpizza\.(.+)\.v(\d+)$/.exec(type);
  const name = match?.[1] ?? type;
  const words =
    WORDS[name] ?? (name.split(".").pop() ?? name).replace(/-/g, " ").replace(/^./, (c) => c.toUpperCase());
  return match && match[2] !== "1" ? `${words} (v${match[2]})` : words;
}

/** The trace id of a W3C traceparent (`00-<trace id>-<span id>-<flags>`). */
export const traceIdOf = (/** @type {string | undefined} */ traceparent) => traceparent?.split("-")[1];

const SVG = "http://www.w3.org/2000/svg";

/**
 * @param {string} tag
 * @param {Record<string, string | number>} [attrs]
 * @param {(Node | string)[]} children
 */
function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  node.append(...children);
  return node;
}

const TIME_W = 120; // the time column
const GUTTER_W = 44; // where causation links are drawn
const LANE_W = 160;
const HEAD_H = 44;
const ROW_H = 54;

/** "+1.2 s" after the first event. */
function offset(/** @type {string} */ time, /** @type {string} */ first) {
  const ms = new Date(time).getTime() - new Date(first).getTime();
  return ms < 1000 ? `+${ms} ms` : `+${(ms / 1000).toFixed(1)} s`;
}

/** "1 attempt", "3 attempts", or what happened when it was not processed. */
function handlingNote(/** @type {Handling} */ h) {
  const attempts =
    h.attempts === null ? "attempts unknown" : `${h.attempts} attempt${h.attempts === 1 ? "" : "s"}`;
  return h.outcome === "processed" ? attempts : `${h.outcome} · ${attempts}`;
}

/**
 * The diagram, the trace ids and the selected event's details for one timeline.
 * @param {Timeline} timeline
 */
export function drawTimeline(timeline) {
  const events = timeline.events;
  const named = new Set(events.flatMap((e) => [e.producer, ...e.handledBy.map((h) => h.context)]));
  const contexts = [
    ...CONTEXT_ORDER.filter((c) => named.has(c)),
    ...[...named].filter((c) => !CONTEXT_ORDER.includes(c)).sort(),
  ];
  const laneX = (/** @type {string} */ context) =>
    TIME_W + GUTTER_W + contexts.indexOf(context) * LANE_W + LANE_W / 2;
  const rowY = (/** @type {number} */ i) => HEAD_H + 34 + i * ROW_H;
  const width = TIME_W + GUTTER_W + contexts.length * LANE_W + 20;
  const height = rowY(events.length - 1) + ROW_H;
  const first = events[0]?.time ?? "";
  const byId = new Map(events.map((e) => [e.id, e]));

  const diagram = svg("svg", {
    class: "sequence",
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    role: "img",
    "aria-label": `Sequence diagram of order ${timeline.orderId}: ${events.length} events between ${contexts.join(", ")}`,
  });

  // Lifelines with their contexts' names on top.
  for (const context of contexts) {
    const x = laneX(context);
    diagram.append(
      svg("line", { class: "lifeline", x1: x, y1: HEAD_H, x2: x, y2: height - 8 }),
      svg("rect", { class: "lane-head", x: x - 60, y: 8, width: 120, height: HEAD_H - 14, rx: 8 }),
      svg("text", { class: "lane-name", x, y: 8 + (HEAD_H - 14) / 2 + 5, "text-anchor": "middle" }, context),
    );
  }

  // Drawn over the rows (appended last), so a row's highlight never hides a link.
  const links = svg("g", { class: "causation" });

  /** @type {Map<string, SVGGElement>} */
  const rows = new Map();
  events.forEach((event, i) => {
    const y = rowY(i);
    const from = laneX(event.producer);
    const row = /** @type {SVGGElement} */ (
      svg("g", {
        class: "event",
        "data-event-id": event.id,
        tabindex: 0,
        role: "button",
        "aria-label": `${eventWords(event.type)} at ${preciseClock(event.time)}`,
      })
    );
    row.append(
      svg("rect", { class: "hit", x: 0, y: y - ROW_H / 2 - 2, width, height: ROW_H }),
      svg("text", { class: "time", x: 8, y: y - 2 }, preciseClock(event.time)),
      svg("text", { class: "offset", x: 8, y: y + 13 }, offset(event.time, first)),
    );
    const targets = event.handledBy.map((h) => laneX(h.context));
    const left = Math.min(from, ...targets);
    const right = Math.max(from, ...targets);
    const labelX = targets.some((x) => x !== from) ? (left + right) / 2 : from + 36;
    row.append(
      svg(
        "text",
        {
          class: "label",
          x: labelX,
          // Above the highest of the row's arrows (several handlers' arrows are drawn a little apart).
          y: y - 9 - ((event.handledBy.length - 1) / 2) * 7,
          "text-anchor": targets.some((x) => x !== from) ? "middle" : "start",
        },
        eventWords(event.type),
      ),
      svg("circle", { class: "origin", cx: from, cy: y, r: 4 }),
    );
    if (event.handledBy.length === 0)
      row.append(svg("text", { class: "note", x: from + 10, y: y + 16 }, "no context recorded handling it"));
    event.handledBy.forEach((handling, k) => {
      // Several handlers: each arrow a little apart, so a long one does not hide a short one.
      const y = rowY(i) + (k - (event.handledBy.length - 1) / 2) * 7;
      const to = laneX(handling.context);
      const bad = handling.outcome !== "processed" && handling.outcome !== "duplicate";
      const arrow = svg("g", { class: `arrow${bad ? " failed" : ""}`, "data-context": handling.context });
      if (to === from) {
        // The producer applied its own event (orders records its events in the order's read model).
        arrow.append(
          svg("path", { class: "shaft", d: `M ${from} ${y - 5} c 34 -6 34 16 4 12` }),
          svg("path", { class: "head", d: `M ${from + 4} ${y + 7} l 7 -4 l -1 8 z` }),
          svg("text", { class: "note", x: from + 34, y: y + 14 }, handlingNote(handling)),
        );
      } else {
        const dir = to > from ? 1 : -1;
        const tip = to - dir * 4;
        arrow.append(
          svg("line", { class: "shaft", x1: from, y1: y, x2: tip - dir * 8, y2: y }),
          svg("path", { class: "head", d: `M ${tip} ${y} l ${-dir * 10} -5 l 0 10 z` }),
          svg(
            "text",
            { class: "note", x: tip - dir * 8, y: y + 15, "text-anchor": dir > 0 ? "end" : "start" },
            handlingNote(handling),
          ),
        );
      }
      arrow.append(
        svg("title", {}, `${handling.context}: ${handlingNote(handling)} at ${preciseClock(handling.at)}`),
      );
      row.append(arrow);
    });
    row.append(svg("title", {}, `${event.type}\n${event.id}`));
    rows.set(event.id, row);
    diagram.append(row);
  });

  diagram.append(links);

  const details = el(
    "div",
    { class: "event-details", "aria-live": "polite" },
    "Select an event to see what caused it and what it caused.",
  );
  const traces = [...new Set(events.map((e) => traceIdOf(e.traceparent)).filter((t) => t !== undefined))];
  const traceList = el(
    "p",
    { class: "traces" },
    traces.length === 1 ? "Trace " : `${traces.length} traces `,
    ...traces.map((t) => el("code", { class: "trace", "data-trace-id": t }, t)),
  );

  /** @type {string | undefined} */
  let selected;

  /** Highlights the event, its cause and its effects, links them in the gutter, and describes it. */
  function select(/** @type {string} */ id) {
    const event = byId.get(id);
    if (!event) return;
    selected = id;
    const cause = event.causationid ? byId.get(event.causationid) : undefined;
    const effects = events.filter((e) => e.causationid === id);
    for (const [rowId, row] of rows) {
      row.classList.toggle("selected", rowId === id);
      row.classList.toggle("cause", rowId === cause?.id);
      row.classList.toggle(
        "effect",
        effects.some((e) => e.id === rowId),
      );
    }
    const traceId = traceIdOf(event.traceparent);
    for (const chip of traceList.querySelectorAll(".trace"))
      chip.classList.toggle("selected", chip instanceof HTMLElement && chip.dataset.traceId === traceId);

    const gx = TIME_W + GUTTER_W - 10;
    const yOf = (/** @type {TimelineEvent} */ e) => rowY(events.indexOf(e));
    const curve = (/** @type {number} */ y1, /** @type {number} */ y2, /** @type {string} */ cls) => {
      const bend = Math.min(GUTTER_W - 14, 8 + Math.abs(y2 - y1) / 12);
      return svg("path", {
        class: cls,
        d: `M ${gx} ${y1} C ${gx - bend} ${y1}, ${gx - bend} ${y2}, ${gx} ${y2}`,
      });
    };
    links.replaceChildren(
      ...(cause ? [curve(yOf(cause), yOf(event), "to-cause")] : []),
      ...effects.map((e) => curve(yOf(event), yOf(e), "to-effect")),
    );

    const link = (/** @type {TimelineEvent} */ e) => {
      const button = el(
        "button",
        { type: "button", class: "link" },
        `${eventWords(e.type)} · ${preciseClock(e.time)}`,
      );
      button.addEventListener("click", () => select((pinned = e.id)));
      return button;
    };
    details.replaceChildren(
      el("h3", {}, eventWords(event.type)),
      el(
        "dl",
        {},
        el("dt", {}, "Type"),
        el("dd", {}, el("code", {}, event.type)),
        el("dt", {}, "Event id"),
        el("dd", {}, el("code", {}, event.id)),
        el("dt", {}, "Produced by"),
        el("dd", {}, `${event.producer} (`, el("code", {}, event.source), `) at ${preciseClock(event.time)}`),
        el("dt", {}, "Caused by"),
        el(
          "dd",
          { class: "caused-by" },
          cause
            ? link(cause)
            : event.causationid
              ? el(
                  "span",
                  {},
                  el("code", {}, event.causationid),
                  " (a request or command, not an event of this order)",
                )
              : "nothing recorded",
        ),
        el("dt", {}, "Caused"),
        el(
          "dd",
          { class: "caused" },
          ...(effects.length ? effects.map(link) : ["no later event of this order"]),
        ),
        el("dt", {}, "Trace"),
        el(
          "dd",
          {},
          traceId ? el("code", {}, traceId) : "none",
          event.traceparent ? ` (traceparent ${event.traceparent})` : "",
        ),
      ),
      el(
        "table",
        { class: "handled-by" },
        el(
          "thead",
          {},
          el(
            "tr",
            {},
            el("th", {}, "Handled by"),
            el("th", {}, "At"),
            el("th", {}, "After"),
            el("th", {}, "Attempts"),
            el("th", {}, "Outcome"),
          ),
        ),
        el(
          "tbody",
          {},
          ...event.handledBy.map((h) =>
            el(
              "tr",
              {},
              el("td", {}, h.context),
              el("td", {}, preciseClock(h.at)),
              el("td", {}, offset(h.at, event.time)),
              el("td", {}, h.attempts === null ? "unknown" : String(h.attempts)),
              el("td", {}, h.outcome),
            ),
          ),
        ),
      ),
    );
  }

  // Hovering previews an event; a click (or the keyboard) pins it, and leaving the diagram goes back to it.
  /** @type {string | undefined} */
  let pinned = events[0]?.id;
  for (const [id, row] of rows) {
    row.addEventListener("mouseenter", () => select(id));
    row.addEventListener("focus", () => select((pinned = id)));
    row.addEventListener("click", () => select((pinned = id)));
  }
  diagram.addEventListener("mouseleave", () => pinned && select(pinned));
  if (pinned) select(pinned);

  return {
    node: el(
      "div",
      { class: "timeline" },
      traceList,
      el("div", { class: "diagram-scroll" }, diagram),
      details,
    ),
    select,
    selected: () => selected,
  };
}
