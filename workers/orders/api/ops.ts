import type { Context } from "hono";
import { z } from "zod";
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
import { errorResponse, zodIssues } from "../../../shared/http/errors";
import { readJsonBody } from "../../../shared/http/json-body";
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

const Limit = z.coerce.number().int().min(1).max(500).default(100);

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

/** The `queue`-style query parameter naming one dead-letter queue, or all of them. */
function queuesFrom(c: Context, field: string): string[] | Response {
  const queue = c.req.query(field);
  if (queue === undefined) return deadLetterQueues;
  if (deadLetterQueues.includes(queue)) return [queue];
  return errorResponse(c, 400, "validation_failed", "Unknown dead-letter queue.", [
    { field, reason: `one of ${deadLetterQueues.join(", ")}` },
  ]);
}

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

/**
 * Operators' endpoints (operator role only): read the dead letters of every queue (grouped by reason
 * too), redrive them to the queue they failed in or discard them, read who did what, see who still reads
 * deprecated event versions, and put an event on the bus by hand (to re-drive one fixed from a dead
 * letter). A hand-put event gets no special treatment: the router validates it like any other and
 * dead-letters it if it is not a valid event.
 */
export const opsRoutes = newRoutes()
  .use("*", requireRole("operator"))
  .route("/orders", timelineRoutes)
  .get("/dead-letters", async (c) => {
    const queues = queuesFrom(c, "queue");
    if (queues instanceof Response) return queues;
    const limit = Limit.safeParse(c.req.query("limit"));
    if (!limit.success)
      return errorResponse(c, 400, "validation_failed", "Bad limit.", [
        { field: "limit", reason: "a whole number from 1 to 500" },
      ]);
    const state = z.enum(LETTER_STATES).optional().safeParse(c.req.query("state"));
    if (!state.success)
      return errorResponse(c, 400, "validation_failed", "Bad state.", [
        { field: "state", reason: `one of ${LETTER_STATES.join(", ")}` },
      ]);
    const lists = await Promise.all(queues.map((q) => offices(c).getByName(q).list(limit.data, state.data)));
    const deadLetters = lists
      .flat()
      .sort((a, b) => b.receivedAt.localeCompare(a.receivedAt))
      .slice(0, limit.data)
      .map(({ bodyJson, ...letter }) => ({ ...letter, body: JSON.parse(bodyJson) as unknown }));
    return c.json({ deadLetters });
  })
  .get("/dead-letters/groups", async (c) => {
    const queues = queuesFrom(c, "queue");
    if (queues instanceof Response) return queues;
    const groups = await Promise.all(
      queues.map(async (q) => {
        const reasons = await offices(c).getByName(q).groups();
        return { deadLetterQueue: q, waiting: reasons.reduce((n, g) => n + g.count, 0), reasons };
      }),
    );
    return c.json({ deadLetterQueues: groups });
  })
  .post("/dead-letters/redrive", async (c) => {
    const parsed = await readJsonBody(c);
    if (!parsed.ok) return parsed.response;
    const body = RedriveBody.safeParse(parsed.body);
    if (!body.success)
      return errorResponse(c, 400, "validation_failed", "Bad redrive.", zodIssues(body.error));
    const { deadLetterQueue, messageIds, reason } = body.data;
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
  .post("/dead-letters/discard", async (c) => {
    const parsed = await readJsonBody(c);
    if (!parsed.ok) return parsed.response;
    const body = DiscardBody.safeParse(parsed.body);
    if (!body.success)
      return errorResponse(c, 400, "validation_failed", "Bad discard.", zodIssues(body.error));
    const { deadLetterQueue, messageIds, reason } = body.data;
    if (!deadLetterQueues.includes(deadLetterQueue)) return unknownQueue(c);
    const operator = c.get("principal").id;
    const result = await offices(c)
      .getByName(deadLetterQueue)
      .discard({ deadLetterQueue, operator, messageIds, reason });
    if (result.outcome !== "done") return refusal(c, result);
    return c.json({ deadLetterQueue, discarded: result.messageIds.length, messageIds: result.messageIds });
  })
  .get("/dead-letters/audit", async (c) => {
    const queues = queuesFrom(c, "deadLetterQueue");
    if (queues instanceof Response) return queues;
    const entries = await Promise.all(queues.map((q) => offices(c).getByName(q).audit()));
    const audit = entries.flat().sort((a, b) => b.at.localeCompare(a.at));
    return c.json({ audit });
  })
  // Each queue's backlog and its oldest message's age, from the platform's queue metrics: every shard of
  // the bus (read here, through orders' own producer bindings) and every subscriber's queue (read by the
  // router, which binds them all). A queue the runtime has no metrics for says so instead of a number.
  .get("/queues", async (c) => {
    const router = c.env.QUEUE_METRICS as unknown as SubscriberBacklogs;
    const [bus, subscribers] = await Promise.all([busBacklogs(c.env), router.subscriberBacklogs()]);
    return c.json({ queues: [...bus, ...subscribers] });
  })
  .get("/deprecations", async (c) => {
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
  .post("/replays", async (c) => {
    const parsed = await readJsonBody(c);
    if (!parsed.ok) return parsed.response;
    const body = ReplayBody.safeParse(parsed.body);
    if (!body.success)
      return errorResponse(c, 400, "validation_failed", "Bad replay.", zodIssues(body.error));
    const checked = planReplay(body.data);
    if (!checked.ok) return errorResponse(c, 400, "validation_failed", "Bad replay.", checked.issues);
    const id = crypto.randomUUID();
    const requestedBy = c.get("principal").id;
    const job = await replays(c)
      .getByName(id)
      .start({ id, ...checked.plan, requestedBy });
    c.header("Location", `/ops/replays/${id}`);
    return c.json({ ...job, rate: { perSecond: (SEND_PER_TICK * 1000) / REPLAY_TICK_MS } }, 202);
  })
  .get("/replays/:id", async (c) => {
    const id = c.req.param("id");
    // Only ids this API gives out: any other name would wake an empty object for nothing.
    const job = z.uuid().safeParse(id).success ? await replays(c).getByName(id).progress() : null;
    if (!job)
      return errorResponse(c, 404, "not_found", "No such replay.", [
        { field: "id", reason: "no replay has this id" },
      ]);
    return c.json(job);
  });
