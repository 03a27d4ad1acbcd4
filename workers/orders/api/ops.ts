import { z } from "zod";
import type { DeadLetterOffice } from "../../../durable-objects/dead-letters/dead-letter-office";
import { requireRole } from "../../../shared/http/auth";
import { errorResponse } from "../../../shared/http/errors";
import { readJsonBody } from "../../../shared/http/json-body";
import { deadLetterQueues } from "../../router/routing-table";
import { newRoutes } from "./app";

const Limit = z.coerce.number().int().min(1).max(500).default(100);

/**
 * Operators' endpoints (operator role only): read the dead letters of every queue, and put an event
 * on the bus by hand (to re-drive one fixed from a dead letter). A hand-put event gets no special
 * treatment: the router validates it like any other and dead-letters it if it is not a valid event.
 */
export const opsRoutes = newRoutes()
  .use("*", requireRole("operator"))
  .get("/dead-letters", async (c) => {
    const queue = c.req.query("queue");
    if (queue !== undefined && !deadLetterQueues.includes(queue)) {
      return errorResponse(c, 400, "validation_failed", "Unknown dead-letter queue.", [
        { field: "queue", reason: `one of ${deadLetterQueues.join(", ")}` },
      ]);
    }
    const limit = Limit.safeParse(c.req.query("limit"));
    if (!limit.success)
      return errorResponse(c, 400, "validation_failed", "Bad limit.", [
        { field: "limit", reason: "a whole number from 1 to 500" },
      ]);
    const offices = c.env.DEAD_LETTER_OFFICE as DurableObjectNamespace<DeadLetterOffice>;
    const lists = await Promise.all(
      (queue ? [queue] : deadLetterQueues).map((q) => offices.getByName(q).list(limit.data)),
    );
    const deadLetters = lists
      .flat()
      .sort((a, b) => b.receivedAt.localeCompare(a.receivedAt))
      .slice(0, limit.data)
      .map(({ bodyJson, ...letter }) => ({ ...letter, body: JSON.parse(bodyJson) as unknown }));
    return c.json({ deadLetters });
  })
  .post("/bus/events", async (c) => {
    const parsed = await readJsonBody(c);
    if (!parsed.ok) return parsed.response;
    await c.env.PIZZA_EVENTS.send(parsed.body, { contentType: "json" });
    return c.json({ accepted: true, queue: "pizza-events" }, 202);
  });
