import { requireRole } from "../../../shared/http/auth";
import { readJsonBody } from "../../../shared/http/json-body";
import { newRoutes } from "./app";

/**
 * A door to the bus for local runs and tests only: it puts any JSON on `pizza-events` as it is, so the
 * end-to-end and soak tests can deliver what producers never would (an invalid event, a forged source, a
 * repeat) and watch the router and the consumers refuse or absorb it. Operators have no such door in
 * production: an event on the bus can move money, so fixing a failure is a redrive of the dead letter
 * to the queue it failed in, or a replay from the archive, both of events producers really published.
 * It is mounted only in a build made by `wrangler dev` (api/index.ts, shared/local-life.ts), so a deploy
 * answers 404 here whatever its settings.
 */
export const localDevRoutes = newRoutes()
  .use("*", requireRole("operator"))
  .post("/bus/events", async (c) => {
    const parsed = await readJsonBody(c);
    if (!parsed.ok) return parsed.response;
    await c.env.PIZZA_EVENTS.send(parsed.body, { contentType: "json" });
    return c.json({ accepted: true, queue: "pizza-events" }, 202);
  });
