// @ts-check
/**
 * The operator console: the dead letters waiting for a decision, grouped by why they failed (redrive
 * them to the queue they failed in, or discard them with a reason), every queue's backlog and its
 * oldest message, the deprecated event versions still read and by whom, and any order's timeline as a
 * sequence diagram. Everything comes from the operators' API (/ops/*, operator role); the console reads
 * it again every 10 seconds while open, and at once after each action.
 */
import { api, el, errorBox, startPage } from "../app.js";
import { age, preciseClock } from "../staff/format.js";
import { drawTimeline, eventWords } from "./timeline.js";

/**
 * The operators' API bodies (workers/orders/api/ops.ts). The dead-letter shapes are written out here,
 * not imported from durable-objects/dead-letters/dead-letter-office.ts: that module's SQL calls do not
 * type-check against the pages' loose stand-ins for the Workers runtime (server-types.d.ts).
 * @typedef {{ reason: string; count: number; oldestReceivedAt: string; newestReceivedAt: string;
 *   repeatedFailures: number }} ReasonGroup
 * @typedef {{ messageId: string; deadLetterQueue: string; queue: string; reason: string; attempts: number;
 *   eventType?: string; eventId?: string; deadLetteredAt: string; receivedAt: string; body: any;
 *   state: "waiting" | "redrive-scheduled" | "redriven" | "discarded"; repeatedFailure: boolean;
 *   repeatedFailures: number }} Letter
 * @typedef {import("../../../router/queue-metrics").QueueBacklog} QueueBacklog
 * @typedef {{ deadLetterQueue: string; waiting: number; reasons: ReasonGroup[] }} DeadLetterQueueGroups
 * @typedef {{ type: string; since: string; sunset: string; replacedBy: string; migration: string;
 *   subscribers: { subscriber: string; subscribed: boolean; events: number; firstAt: string | null;
 *   lastAt: string | null }[] }} DeprecatedVersion
 */

const REFRESH_MS = 10_000;

/** @param {string} id */
const byId = (id) => {
  const node = document.getElementById(id);
  if (!node) throw new Error(`the console needs #${id}`);
  return node;
};

const notice = byId("notice");
const deadLetters = byId("dead-letters");
const queues = byId("queues");
const deprecations = byId("deprecations");
const timelineForm = /** @type {HTMLFormElement} */ (byId("timeline-form"));
const timelineView = byId("timeline");
const sections = byId("sections");
const signedOut = byId("signed-out");

/** Tells the operator what an action did. */
function tell(/** @type {(Node | string)[]} */ lines) {
  notice.replaceChildren(el("div", { class: "done", role: "status" }, ...lines));
  notice.hidden = false;
}

/** Tells the operator what went wrong, from our JSON error body. */
function tellError(/** @type {unknown} */ error) {
  notice.replaceChildren(errorBox(error));
  notice.hidden = false;
}

// ---- Dead letters -----------------------------------------------------------------------------------

/** The waiting letters of one reason group (the list endpoint, filtered by reason here). */
async function lettersOf(/** @type {string} */ queue, /** @type {string} */ reason) {
  /** @type {{ deadLetters: Letter[] }} */
  const body = await api(`/ops/dead-letters?queue=${encodeURIComponent(queue)}&state=waiting&limit=500`);
  return body.deadLetters.filter((l) => l.reason === reason);
}

/**
 * @param {string} deadLetterQueue
 * @param {{ messageIds: string[] } | { reason: string }} which
 */
async function redrive(deadLetterQueue, which) {
  try {
    /** @type {{ scheduled: number; notRedrivable: { messageId: string; why: string }[]; rate: { perSecond: number } }} */
    const result = await api("/ops/dead-letters/redrive", {
      method: "POST",
      body: { deadLetterQueue, ...which },
    });
    tell([
      `${result.scheduled} letter${result.scheduled === 1 ? "" : "s"} scheduled to go back to the queue ${result.scheduled === 1 ? "it" : "each"} failed in, at most ${result.rate.perSecond} a second.`,
      ...result.notRedrivable.map((n) => el("span", {}, ` ${n.messageId} cannot be redriven: ${n.why}`)),
    ]);
  } catch (error) {
    tellError(error);
  }
  await refreshDeadLetters();
}

async function discard(
  /** @type {string} */ deadLetterQueue,
  /** @type {string[]} */ messageIds,
  /** @type {string} */ reason,
) {
  try {
    /** @type {{ discarded: number }} */
    const result = await api("/ops/dead-letters/discard", {
      method: "POST",
      body: { deadLetterQueue, messageIds, reason },
    });
    tell([`${result.discarded} letter${result.discarded === 1 ? "" : "s"} discarded: ${reason}`]);
  } catch (error) {
    tellError(error);
  }
  await refreshDeadLetters();
}

/** One letter in a group's list, with its own redrive, and its order's timeline when it names one. */
function letterRow(/** @type {string} */ queue, /** @type {Letter} */ letter) {
  const orderId = letter.body?.data?.orderId;
  const redriveOne = el("button", { type: "button", class: "small" }, "Redrive");
  redriveOne.addEventListener("click", () => redrive(queue, { messageIds: [letter.messageId] }));
  const timeline =
    typeof orderId === "string" ? el("button", { type: "button", class: "small quiet" }, "Timeline") : null;
  timeline?.addEventListener("click", () => showTimeline(orderId));
  return el(
    "tr",
    { "data-message-id": letter.messageId },
    el("td", {}, el("code", { title: letter.messageId }, letter.messageId.slice(0, 12))),
    el(
      "td",
      {},
      letter.eventType ? eventWords(letter.eventType) : "unreadable",
      letter.repeatedFailure ? el("span", { class: "tag warn" }, "failed again") : null,
    ),
    el("td", {}, letter.queue),
    el("td", { class: "num" }, String(letter.attempts)),
    el("td", {}, preciseClock(letter.receivedAt)),
    el("td", { class: "row-actions" }, redriveOne, timeline),
  );
}

/** One reason group: how many wait, since when, and what the operator can do about them. */
function groupCard(
  /** @type {string} */ queue,
  /** @type {ReasonGroup} */ group,
  /** @type {boolean} */ open,
) {
  const card = el("article", { class: "dl-group", "data-queue": queue, "data-reason": group.reason });
  const redriveAll = el(
    "button",
    { type: "button", class: "primary" },
    `Redrive ${group.count === 1 ? "it" : `all ${group.count}`}`,
  );
  const showLetters = el(
    "button",
    { type: "button", "aria-expanded": String(open) },
    open ? "Hide letters" : "Show letters",
  );
  const startDiscard = el("button", { type: "button", class: "quiet" }, "Discard…");
  const discardReason = el("input", {
    name: "discardReason",
    required: true,
    maxlength: 1000,
    placeholder: "Why: e.g. a test event, nothing to fix",
  });
  const discardForm = el(
    "form",
    { class: "discard", hidden: true },
    el("label", { class: "field" }, "Reason for discarding", discardReason),
    el(
      "button",
      { type: "submit", class: "danger" },
      `Discard ${group.count === 1 ? "it" : `all ${group.count}`}`,
    ),
  );
  const letters = el("div", { class: "letters", hidden: !open });

  async function loadLetters() {
    const list = await lettersOf(queue, group.reason);
    letters.replaceChildren(
      el(
        "table",
        {},
        el(
          "thead",
          {},
          el(
            "tr",
            {},
            el("th", {}, "Letter"),
            el("th", {}, "Event"),
            el("th", {}, "Failed in"),
            el("th", {}, "Attempts"),
            el("th", {}, "Filed"),
            el("th", {}),
          ),
        ),
        el("tbody", {}, ...list.map((l) => letterRow(queue, l))),
      ),
    );
  }

  redriveAll.addEventListener("click", () => redrive(queue, { reason: group.reason }));
  showLetters.addEventListener("click", async () => {
    const opening = letters.hidden;
    openGroups[opening ? "add" : "delete"](`${queue}\n${group.reason}`);
    showLetters.textContent = opening ? "Hide letters" : "Show letters";
    showLetters.setAttribute("aria-expanded", String(opening));
    letters.hidden = !opening;
    if (opening) await loadLetters().catch((error) => tellError(error));
  });
  startDiscard.addEventListener("click", () => {
    discardForm.hidden = !discardForm.hidden;
    if (!discardForm.hidden) discardReason.focus();
  });
  discardForm.addEventListener("submit", async (submit) => {
    submit.preventDefault();
    const ids = (await lettersOf(queue, group.reason)).map((l) => l.messageId);
    if (ids.length) await discard(queue, ids, discardReason.value.trim());
  });
  if (open) void loadLetters().catch((error) => tellError(error));

  card.append(
    el(
      "header",
      {},
      el("span", { class: "waiting-count" }, `${group.count} waiting`),
      el("code", { class: "queue-name" }, queue),
      group.repeatedFailures
        ? el("span", { class: "tag warn" }, `${group.repeatedFailures} failed again after a redrive`)
        : null,
    ),
    el("p", { class: "reason" }, group.reason),
    el(
      "p",
      { class: "meta" },
      `Oldest ${preciseClock(group.oldestReceivedAt)} · newest ${preciseClock(group.newestReceivedAt)}`,
    ),
    el("div", { class: "actions" }, redriveAll, showLetters, startDiscard),
    discardForm,
    letters,
  );
  return card;
}

/** Groups whose letters the operator opened: they stay open when the console reads again. */
const openGroups = new Set();

async function refreshDeadLetters() {
  /** @type {{ deadLetterQueues: DeadLetterQueueGroups[] }} */
  const body = await api("/ops/dead-letters/groups");
  const waiting = body.deadLetterQueues.filter((q) => q.waiting > 0);
  const total = waiting.reduce((n, q) => n + q.waiting, 0);
  deadLetters.replaceChildren(
    el(
      "p",
      { class: total ? "summary warn" : "summary ok" },
      total
        ? `${total} dead letter${total === 1 ? "" : "s"} waiting for a decision in ${waiting.length} queue${waiting.length === 1 ? "" : "s"}.`
        : "No dead letters waiting. Every message was handled.",
    ),
    ...waiting.flatMap((q) =>
      q.reasons.map((g) =>
        groupCard(q.deadLetterQueue, g, openGroups.has(`${q.deadLetterQueue}\n${g.reason}`)),
      ),
    ),
  );
}

// ---- Queues and deprecations ------------------------------------------------------------------------

/** A bar of `percent` of the cell's width (set through the CSSOM: the pages' CSP allows no style attribute). */
function bar(/** @type {number} */ percent) {
  const span = el("span");
  span.style.width = `${Math.max(4, percent)}%`;
  return span;
}

async function refreshQueues() {
  /** @type {{ queues: QueueBacklog[] }} */
  const body = await api("/ops/queues");
  const most = Math.max(1, ...body.queues.map((q) => q.backlog ?? 0));
  queues.replaceChildren(
    el(
      "table",
      { class: "backlogs" },
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          el("th", {}, "Queue"),
          el("th", {}, "Read by"),
          el("th", { class: "num" }, "Waiting"),
          el("th", {}, ""),
          el("th", {}, "Oldest"),
        ),
      ),
      el(
        "tbody",
        {},
        ...body.queues.map((q) =>
          el(
            "tr",
            { "data-queue": q.queue, class: (q.backlog ?? 0) > 0 ? "busy" : undefined },
            el("td", {}, el("code", {}, q.queue)),
            el("td", {}, q.subscriber),
            el("td", { class: "num" }, q.backlog === null ? "–" : String(q.backlog)),
            el("td", { class: "bar" }, q.backlog ? bar((100 * q.backlog) / most) : null),
            el(
              "td",
              { title: q.error ?? "" },
              q.error
                ? "no metrics here"
                : q.oldestMessageAgeSeconds === null
                  ? "–"
                  : age(q.oldestMessageAgeSeconds),
            ),
          ),
        ),
      ),
    ),
  );
}

async function refreshDeprecations() {
  /** @type {{ deprecations: DeprecatedVersion[] }} */
  const body = await api("/ops/deprecations");
  deprecations.replaceChildren(
    ...(body.deprecations.length === 0
      ? [el("p", { class: "summary ok" }, "No deprecated event versions.")]
      : body.deprecations.map((d) => {
          const readers = d.subscribers.filter((s) => s.subscribed);
          return el(
            "article",
            { class: "deprecation", "data-type": d.type },
            el(
              "header",
              {},
              el("strong", {}, eventWords(d.type)),
              " ",
              el("code", {}, d.type),
              el(
                "span",
                { class: `tag ${readers.length ? "warn" : "ok"}` },
                readers.length
                  ? `${readers.length} still read${readers.length === 1 ? "s" : ""} it`
                  : "nobody reads it",
              ),
            ),
            el(
              "p",
              { class: "meta" },
              `Sunset ${new Date(d.sunset).toLocaleDateString()} · replaced by `,
              el("code", {}, d.replacedBy),
              " · ",
              el("a", { href: d.migration }, "how to move"),
            ),
            d.subscribers.length === 0
              ? el("p", { class: "meta" }, "No subscriber reads it or has read it.")
              : el(
                  "table",
                  {},
                  el(
                    "thead",
                    {},
                    el(
                      "tr",
                      {},
                      el("th", {}, "Subscriber"),
                      el("th", {}, "Reads it now"),
                      el("th", { class: "num" }, "Events read"),
                      el("th", {}, "Last read"),
                    ),
                  ),
                  el(
                    "tbody",
                    {},
                    ...d.subscribers.map((s) =>
                      el(
                        "tr",
                        { "data-subscriber": s.subscriber },
                        el("td", {}, s.subscriber),
                        el("td", {}, s.subscribed ? "yes" : "moved on"),
                        el("td", { class: "num" }, String(s.events)),
                        el("td", {}, s.lastAt ? new Date(s.lastAt).toLocaleString() : "never"),
                      ),
                    ),
                  ),
                ),
          );
        })),
  );
}

// ---- An order's timeline ----------------------------------------------------------------------------

async function showTimeline(/** @type {string} */ orderId) {
  const input = timelineForm.elements.namedItem("orderId");
  if (input instanceof HTMLInputElement) input.value = orderId;
  history.replaceState(null, "", `#timeline=${encodeURIComponent(orderId)}`);
  timelineView.replaceChildren(el("p", { class: "meta" }, "Reading the timeline…"));
  timelineView.scrollIntoView({ block: "start" });
  try {
    /** @type {import("./timeline.js").Timeline} */
    const timeline = await api(`/ops/orders/${encodeURIComponent(orderId)}/timeline`);
    timelineView.replaceChildren(
      timeline.events.length
        ? drawTimeline(timeline).node
        : el("p", { class: "meta" }, "No events recorded for this order yet."),
    );
  } catch (error) {
    timelineView.replaceChildren(errorBox(error));
  }
}

timelineForm.addEventListener("submit", (submit) => {
  submit.preventDefault();
  const orderId = new FormData(timelineForm).get("orderId");
  if (typeof orderId === "string" && orderId.trim()) void showTimeline(orderId.trim());
});

// ---- Signing in and keeping current ------------------------------------------------------------------

/** @type {ReturnType<typeof setInterval> | undefined} */
let timer;

/** Reads everything again; a part that fails says why in the notice, the others still show. */
async function refresh() {
  const results = await Promise.allSettled([refreshDeadLetters(), refreshQueues(), refreshDeprecations()]);
  const failed = results.find((r) => r.status === "rejected");
  if (failed) tellError(failed.reason);
}

function signedInAs(/** @type {unknown} */ principal) {
  clearInterval(timer);
  notice.hidden = true;
  sections.hidden = !principal;
  signedOut.hidden = Boolean(principal);
  if (!principal) return;
  void refresh();
  timer = setInterval(refresh, REFRESH_MS);
  const fromLink = /^#timeline=(.+)$/.exec(location.hash)?.[1];
  if (fromLink) void showTimeline(decodeURIComponent(fromLink));
}

byId("refresh").addEventListener("click", () => void refresh());
startPage({ role: "operator", onSession: (session) => signedInAs(session?.principal) });
