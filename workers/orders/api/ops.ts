import type { Context } from "hono";
import { z } from "@hono/zod-openapi";
import {
  LETTER_STATES,
  REDRIVE_PER_TICK,
  REDRIVE_TICK_MS,
  type ActionResult,
  type DeadLetterOffice,
} from "../../../durable-objects/dead-letters/dead-letter-office";
import { readsOf, type DeprecatedReads } from "../../../durable-objects/dead-letters/deprecated-reads";
import {
  REPLAY_TICK_MS,
  SEND_PER_TICK,
  type ArchiveReplay,
} from "../../../durable-objects/router/archive-replay";
import { deprecationOf, eventTypes, type Deprecation } from "../../../shared/events/registry";
import { requireRole } from "../../../shared/http/auth";
import { errorResponse } from "../../../shared/http/errors";
import { apiRoute, json, routesOf, type ErrorStatus } from "../../../shared/http/openapi";
import { LAST_RESORT_QUEUE } from "../../dead-letters/filing";
import { REDRIVE_BINDINGS } from "../../dead-letters/redrive";
import { busBacklogs, type QueueBacklog } from "../../router/queue-metrics";
import { planReplay } from "../../router/replays";
import { deadLetterQueues as subscriberDeadLetterQueues, subscriptions } from "../../router/routing-table";

/** Every dead-letter queue operators can read: the bus's and each subscriber's, and the last resort. */
const deadLetterQueues = [...subscriberDeadLetterQueues, LAST_RESORT_QUEUE];
import { newRoutes } from "./app";
import { timelineRoutes } from "./timeline";

/** The router's QueueMetrics entrypoint (`wrangler types` cannot see another worker's entrypoint). */
interface SubscriberBacklogs {
  subscriberBacklogs(): Promise<QueueBacklog[]>;
}

const LIMIT = { error: "a whole number from 1 to 500" };
const Limit = z.coerce.number(LIMIT).int(LIMIT).min(1, LIMIT).max(500, LIMIT).default(100);

/** Any name here: one that is not a dead-letter queue is a 404, like unknown letters. */
const DeadLetterQueue = z.string().min(1).max(100);
const MessageIds = z.array(z.string().min(1).max(200)).min(1).max(1000);
const Reason = z.string().trim().min(1).max(1000);

/** POST /ops/dead-letters/redrive: some letters by id, or every waiting letter of a reason group. */
const RedriveBody = z
  .object({ deadLetterQueue: DeadLetterQueue, messageIds: MessageIds.optional(), reason: Reason.optional() })
  .strict()
  .refine((b) => (b.messageIds === undefined) !== (b.reason === undefined), {
    message: "give either messageIds or reason, not both",
    path: ["messageIds"],
  });

/** POST /ops/dead-letters/discard. */
const DiscardBody = z
  .object({ deadLetterQueue: DeadLetterQueue, messageIds: MessageIds, reason: Reason })
  .strict();

/**
 * POST /ops/replays: the archived events whose `time` is in [from, to) that `subscriber` reads (only
 * `types`, full types with their version, if given), sent to its queue alone. Checked against the
 * routing table by planReplay (workers/router/replays.ts).
 */
const ReplayBody = z
  .object({
    subscriber: z.string().min(1).max(100),
    from: z.iso.datetime({ offset: true }),
    to: z.iso.datetime({ offset: true }),
    types: z.array(z.string().min(1).max(200)).min(1).max(100).optional(),
  })
  .strict();

/** The router's replay jobs (bound by script_name), one object per job, named by its id. */
const replays = (c: Context) => c.env.ARCHIVE_REPLAYS as DurableObjectNamespace<ArchiveReplay>;

const offices = (c: Context) => c.env.DEAD_LETTER_OFFICE as DurableObjectNamespace<DeadLetterOffice>;

/** The `queue`-style query parameter naming one dead-letter queue (all of them when absent). */
const QueueParam = z
  .enum(deadLetterQueues as [string, ...string[]], { error: `one of ${deadLetterQueues.join(", ")}` })
  .optional();
const queuesOf = (queue: string | undefined) => (queue === undefined ? deadLetterQueues : [queue]);

const unknownQueue = (c: Context) =>
  errorResponse(c, 404, "not_found", "No such dead-letter queue.", [
    { field: "deadLetterQueue", reason: `one of ${deadLetterQueues.join(", ")}` },
  ]);

/** 404 for unknown letters, 409 for letters not in a state the action takes. */
function refusal(c: Context, result: Exclude<ActionResult, { outcome: "done" }>, reasonGroup?: string) {
  if (result.outcome === "unknown")
    return reasonGroup !== undefined
      ? errorResponse(c, 404, "not_found", "No waiting letter failed for that reason.", [
          { field: "reason", reason: "no waiting letter in this dead-letter queue has it" },
        ])
      : errorResponse(
          c,
          404,
          "not_found",
          "Unknown letters.",
          result.messageIds.map((id) => ({ field: "messageIds", reason: `no letter ${id} in this queue` })),
        );
  return errorResponse(
    c,
    409,
    "conflict",
    "Some letters cannot be acted on.",
    result.letters.map((l) => ({ field: "messageIds", reason: `${l.messageId}: ${l.why}` })),
  );
}

/**
 * GET /ops/deprecations, one entry per deprecated version in the registry:
 *
 *   { "deprecations": [{
 *       "type": "com.plantbasedpizza.order.completed.v1",
 *       "since": RFC 3339, "sunset": RFC 3339, "replacedBy": "…order.completed.v2", "migration": URI,
 *       "subscribers": [{ "subscriber": "loyalty", "subscribed": true,
 *                         "events": 42, "firstAt": RFC 3339 | null, "lastAt": RFC 3339 | null }] }] }
 *
 * `subscribers` lists every subscriber that subscribes to the version now (`subscribed`, from the
 * routing table) or has handled some of it before (a subscriber that has moved on keeps its counts,
 * with `subscribed: false`), in the routing table's order; `events` counts what its consumer harness
 * handled (processed or duplicate), `firstAt`/`lastAt` are null while it has handled none.
 */
interface DeprecatedVersion extends Deprecation {
  type: string;
  subscribers: {
    subscriber: string;
    subscribed: boolean;
    events: number;
    firstAt: string | null;
    lastAt: string | null;
  }[];
}

const OPERATOR = {
  roles: ["operator"],
  invalid: { query: "Bad query.", json: "Bad request body." },
} as const;
const TAGS = ["Operations"];
const body = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { "application/json": { schema } },
});
const UNKNOWN_QUEUE_OR_LETTERS: Partial<Record<ErrorStatus, string>> = {
  404: "No such dead-letter queue, no such letters, or no waiting letter failed for that reason.",
  409: "Some letters are not in a state the action takes (each issue says which and why).",
};

const FiledLetter = z
  .object({
    messageId: z.string(),
    deadLetterQueue: z.string(),
    queue: z.string().openapi({ description: "The queue the message failed in." }),
    reason: z.string(),
    attempts: z.number().int(),
    eventType: z.string().optional(),
    eventId: z.string().optional(),
    deadLetteredAt: z.iso.datetime(),
    receivedAt: z.iso.datetime(),
    body: z.unknown().openapi({ description: "The message as it was." }),
    state: z.enum(LETTER_STATES),
    stateChangedAt: z.iso.datetime().optional(),
    discardReason: z.string().optional(),
    redriveError: z.string().optional(),
    repeatedFailure: z.boolean(),
    repeatedFailures: z.number().int(),
  })
  .openapi("DeadLetter");

const listDeadLetters = apiRoute(
  {
    method: "get",
    path: "/dead-letters",
    tags: TAGS,
    summary: "Dead letters of every dead-letter queue, newest first",
    request: {
      query: z.object({
        queue: QueueParam,
        limit: Limit,
        state: z.enum(LETTER_STATES, { error: `one of ${LETTER_STATES.join(", ")}` }).optional(),
      }),
    },
    responses: { 200: json(z.object({ deadLetters: z.array(FiledLetter) }), "The letters.") },
  },
  OPERATOR,
);

const deadLetterGroups = apiRoute(
  {
    method: "get",
    path: "/dead-letters/groups",
    tags: TAGS,
    summary: "Waiting letters per dead-letter queue, grouped by reason",
    request: { query: z.object({ queue: QueueParam }) },
    responses: {
      200: json(
        z.object({
          deadLetterQueues: z.array(
            z.object({
              deadLetterQueue: z.string(),
              waiting: z.number().int(),
              reasons: z.array(
                z.object({
                  reason: z.string(),
                  count: z.number().int(),
                  oldestReceivedAt: z.iso.datetime(),
                  newestReceivedAt: z.iso.datetime(),
                  repeatedFailures: z.number().int(),
                }),
              ),
            }),
          ),
        }),
        "The groups.",
      ),
    },
  },
  OPERATOR,
);

const redriveLetters = apiRoute(
  {
    method: "post",
    path: "/dead-letters/redrive",
    tags: TAGS,
    summary: "Send letters, unchanged, back to the queue each failed in",
    description: `By ids, or every waiting letter of a reason group; ${(REDRIVE_PER_TICK * 1000) / REDRIVE_TICK_MS} a second.`,
    request: { body: body(RedriveBody) },
    responses: {
      202: json(
        z.object({
          deadLetterQueue: z.string(),
          scheduled: z.number().int(),
          messageIds: z.array(z.string()),
          notRedrivable: z.array(z.object({ messageId: z.string(), why: z.string() })),
          rate: z.object({ perSecond: z.number() }),
        }),
        "Scheduled.",
      ),
    },
  },
  OPERATOR,
  UNKNOWN_QUEUE_OR_LETTERS,
);

const discardLetters = apiRoute(
  {
    method: "post",
    path: "/dead-letters/discard",
    tags: TAGS,
    summary: "Discard letters (kept until retention, no longer waiting)",
    request: { body: body(DiscardBody) },
    responses: {
      200: json(
        z.object({
          deadLetterQueue: z.string(),
          discarded: z.number().int(),
          messageIds: z.array(z.string()),
        }),
        "Discarded.",
      ),
    },
  },
  OPERATOR,
  UNKNOWN_QUEUE_OR_LETTERS,
);

const readAudit = apiRoute(
  {
    method: "get",
    path: "/dead-letters/audit",
    tags: TAGS,
    summary: "Who redrove or discarded what, when and why",
    request: { query: z.object({ deadLetterQueue: QueueParam }) },
    responses: {
      200: json(
        z.object({
          audit: z.array(
            z.object({
              deadLetterQueue: z.string(),
              at: z.iso.datetime(),
              operator: z.string(),
              action: z.enum(["redrive", "discard"]),
              messageIds: z.array(z.string()),
              reason: z.string().nullable(),
            }),
          ),
        }),
        "The audit, newest first.",
      ),
    },
  },
  OPERATOR,
);

const queueBacklogs = apiRoute(
  {
    method: "get",
    path: "/queues",
    tags: TAGS,
    summary: "Each queue's backlog: every shard of the bus and every subscriber's queue",
    responses: {
      200: json(
        z.object({
          queues: z.array(
            z.object({
              queue: z.string(),
              subscriber: z.string(),
              backlog: z.number().int().nullable(),
              backlogBytes: z.number().int().nullable(),
              oldestMessageAgeSeconds: z.number().nullable(),
              error: z.string().optional().openapi({ description: "Where the runtime has no metrics." }),
            }),
          ),
        }),
        "The backlogs.",
      ),
    },
  },
  OPERATOR,
);

const deprecatedVersions = apiRoute(
  {
    method: "get",
    path: "/deprecations",
    tags: TAGS,
    summary: "Every deprecated event version, with the subscribers still on it",
    responses: {
      200: json(
        z.object({
          deprecations: z.array(
            z.object({
              type: z.string(),
              since: z.string(),
              sunset: z.string(),
              replacedBy: z.string(),
              migration: z.string(),
              subscribers: z.array(
                z.object({
                  subscriber: z.string(),
                  subscribed: z.boolean(),
                  events: z.number().int(),
                  firstAt: z.iso.datetime().nullable(),
                  lastAt: z.iso.datetime().nullable(),
                }),
              ),
            }),
          ),
        }),
        "The deprecations.",
      ),
    },
  },
  OPERATOR,
);

const ReplayJob = z
  .looseObject({
    id: z.string(),
    subscriber: z.string(),
    queue: z.string(),
    from: z.iso.datetime({ offset: true }),
    to: z.iso.datetime({ offset: true }),
    types: z.array(z.string()),
    requestedBy: z.string(),
    requestedAt: z.iso.datetime(),
    state: z.string(),
  })
  .openapi("ReplayJob");

const startReplay = apiRoute(
  {
    method: "post",
    path: "/replays",
    tags: TAGS,
    summary: "Replay archived events of a time range to one subscriber",
    request: { body: body(ReplayBody) },
    responses: {
      202: {
        ...json(ReplayJob, "The job, started; its progress at the Location."),
        headers: { Location: { description: "/ops/replays/{id}", schema: { type: "string" } } },
      },
    },
  },
  OPERATOR,
);

const replayProgress = apiRoute(
  {
    method: "get",
    path: "/replays/{id}",
    tags: TAGS,
    summary: "A replay's progress",
    request: { params: z.object({ id: z.string().openapi({ description: "The job's id (a UUID)." }) }) },
    responses: { 200: json(ReplayJob, "The job.") },
  },
  OPERATOR,
  { 404: "No such replay." },
);

/**
 * Operators' endpoints (operator role only): read the dead letters of every queue (grouped by reason
 * too), redrive them to the queue they failed in or discard them, read who did what, see who still reads
 * deprecated event versions, and put an event on the bus by hand (to re-drive one fixed from a dead
 * letter). A hand-put event gets no special treatment: the router validates it like any other and
 * dead-letters it if it is not a valid event.
 */
export const opsRoutes = routesOf(newRoutes())
  .use("*", requireRole("operator"))
  // Queries and bodies are validated by the declarations above before each handler runs.
  .serve(listDeadLetters, async (c) => {
    const { queue, limit, state } = c.req.valid("query");
    const lists = await Promise.all(queuesOf(queue).map((q) => offices(c).getByName(q).list(limit, state)));
    const deadLetters = lists
      .flat()
      .sort((a, b) => b.receivedAt.localeCompare(a.receivedAt))
      .slice(0, limit)
      .map(({ bodyJson, ...letter }) => ({ ...letter, body: JSON.parse(bodyJson) as unknown }));
    return c.json({ deadLetters });
  })
  .serve(deadLetterGroups, async (c) => {
    const groups = await Promise.all(
      queuesOf(c.req.valid("query").queue).map(async (q) => {
        const reasons = await offices(c).getByName(q).groups();
        return { deadLetterQueue: q, waiting: reasons.reduce((n, g) => n + g.count, 0), reasons };
      }),
    );
    return c.json({ deadLetterQueues: groups });
  })
  .serve(redriveLetters, async (c) => {
    const { deadLetterQueue, messageIds, reason } = c.req.valid("json");
    if (!deadLetterQueues.includes(deadLetterQueue)) return unknownQueue(c);
    const operator = c.get("principal").id;
    const office = offices(c).getByName(deadLetterQueue);
    const result = await office.redrive(
      messageIds
        ? { deadLetterQueue, operator, targets: REDRIVE_BINDINGS, messageIds }
        : { deadLetterQueue, operator, targets: REDRIVE_BINDINGS, reason: reason! },
    );
    if (result.outcome !== "done") return refusal(c, result, reason);
    return c.json(
      {
        deadLetterQueue,
        scheduled: result.messageIds.length,
        messageIds: result.messageIds,
        notRedrivable: result.notRedrivable ?? [],
        rate: { perSecond: (REDRIVE_PER_TICK * 1000) / REDRIVE_TICK_MS },
      },
      202,
    );
  })
  .serve(discardLetters, async (c) => {
    const { deadLetterQueue, messageIds, reason } = c.req.valid("json");
    if (!deadLetterQueues.includes(deadLetterQueue)) return unknownQueue(c);
    const operator = c.get("principal").id;
    const result = await offices(c)
      .getByName(deadLetterQueue)
      .discard({ deadLetterQueue, operator, messageIds, reason });
    if (result.outcome !== "done") return refusal(c, result);
    return c.json({ deadLetterQueue, discarded: result.messageIds.length, messageIds: result.messageIds });
  })
  .serve(readAudit, async (c) => {
    const queues = queuesOf(c.req.valid("query").deadLetterQueue);
    const entries = await Promise.all(queues.map((q) => offices(c).getByName(q).audit()));
    return c.json({ audit: entries.flat().sort((a, b) => b.at.localeCompare(a.at)) });
  })
  // Each queue's backlog and its oldest message's age, from the platform's queue metrics: every shard of
  // the bus (read here, through orders' own producer bindings) and every subscriber's queue (read by the
  // router, which binds them all). A queue the runtime has no metrics for says so instead of a number.
  .serve(queueBacklogs, async (c) => {
    const router = c.env.QUEUE_METRICS as unknown as SubscriberBacklogs;
    const [bus, subscribers] = await Promise.all([busBacklogs(c.env), router.subscriberBacklogs()]);
    return c.json({ queues: [...bus, ...subscribers] });
  })
  .serve(deprecatedVersions, async (c) => {
    const counters = c.env.DEPRECATED_READS as DurableObjectNamespace<DeprecatedReads>;
    // Every subscriber's counts, summed over the objects that share them, read in parallel.
    const readsBySubscriber = await Promise.all(
      subscriptions.map(async (s) => ({
        subscription: s,
        reads: await readsOf(counters, s.subscriber),
      })),
    );
    const deprecations: DeprecatedVersion[] = eventTypes.flatMap((type) => {
      const deprecation = deprecationOf(type);
      if (!deprecation) return [];
      const subscribers = readsBySubscriber.flatMap(({ subscription, reads }) => {
        const subscribed = Object.hasOwn(subscription.events, type);
        const read = reads.find((r) => r.type === type);
        if (!subscribed && !read) return [];
        return [
          {
            subscriber: subscription.subscriber,
            subscribed,
            events: read?.events ?? 0,
            firstAt: read?.firstAt ?? null,
            lastAt: read?.lastAt ?? null,
          },
        ];
      });
      return [{ type, ...deprecation, subscribers }];
    });
    return c.json({ deprecations });
  })
  // Replays of the event archive to one subscriber (durable-objects/router/archive-replay.ts): 202 with
  // the job, which runs in the background at a bounded rate; its progress at the Location.
  .serve(startReplay, async (c) => {
    const checked = planReplay(c.req.valid("json"));
    if (!checked.ok) return errorResponse(c, 400, "validation_failed", "Bad replay.", checked.issues);
    const id = crypto.randomUUID();
    const requestedBy = c.get("principal").id;
    const job = await replays(c)
      .getByName(id)
      .start({ id, ...checked.plan, requestedBy });
    c.header("Location", `/ops/replays/${id}`);
    return c.json({ ...job, rate: { perSecond: (SEND_PER_TICK * 1000) / REPLAY_TICK_MS } }, 202);
  })
  .serve(replayProgress, async (c) => {
    const id = c.req.param("id");
    // Only ids this API gives out: any other name would wake an empty object for nothing.
    const job = z.uuid().safeParse(id).success ? await replays(c).getByName(id).progress() : null;
    if (!job)
      return errorResponse(c, 404, "not_found", "No such replay.", [
        { field: "id", reason: "no replay has this id" },
      ]);
    return c.json(job);
  })
  // An order's timeline (timeline.ts), behind the same operator check.
  .app.route("/orders", timelineRoutes);
