import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { opsCall } from "./ops-call";
import type { DeadLetterOffice } from "../../durable-objects/dead-letters/dead-letter-office";
import { waitFor } from "../support/wait-for";

/**
 * The operators' dead-letter routes: grouped by reason, redrive, discard, audit. Validation and roles
 * here; what the office does with a redrive is test/dead-letters/redrive.test.ts. The letters live in
 * the real DeadLetterOffice of the dead-letters worker (bound by script_name).
 */
const offices = env.DEAD_LETTER_OFFICE as DurableObjectNamespace<DeadLetterOffice>;
const kitchenOffice = offices.getByName("kitchen-inbox-dlq");

const call = opsCall;

/** Letters waiting in the kitchen's dead-letter queue, for events of their own. */
async function fileKitchenLetters(reason: string, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => crypto.randomUUID());
  await kitchenOffice.file(
    ids.map((id) => ({
      messageId: id,
      deadLetterQueue: "kitchen-inbox-dlq",
      queue: "kitchen-inbox",
      reason,
      attempts: 5,
      eventId: `evt-${id}`,
      deadLetteredAt: new Date().toISOString(),
      bodyJson: JSON.stringify({ id: `evt-${id}`, type: "com.plantbasedpizza.order.confirmed.v1" }),
    })),
  );
  return ids;
}

const ROUTES: [string, string, unknown?][] = [
  ["GET", "/dead-letters/groups"],
  ["GET", "/dead-letters/audit"],
  ["POST", "/dead-letters/redrive", { deadLetterQueue: "kitchen-inbox-dlq", reason: "x" }],
  ["POST", "/dead-letters/discard", { deadLetterQueue: "kitchen-inbox-dlq", messageIds: ["m"], reason: "x" }],
];

describe("the operators' dead-letter routes", () => {
  it.each(ROUTES)(
    "%s %s: 401 without a token, 403 for customers, staff and analysts",
    async (method, path, body) => {
      expect((await call(method, path, { body })).status).toBe(401);
      for (const role of ["customer", "staff", "analyst"] as const)
        expect((await call(method, path, { role, body })).status, role).toBe(403);
    },
  );

  it("answers 400 with the field and the reason for bad input", async () => {
    const bad = async (method: string, path: string, body: unknown, field: string) => {
      const res = await call(method, path, { role: "operator", body });
      expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      const answer = await res.json<{ error: string; issues: { field: string; reason: string }[] }>();
      expect(answer.error).toBe("validation_failed");
      expect(answer.issues.map((i) => i.field)).toContain(field);
      expect(answer.issues.every((i) => i.reason.length > 0)).toBe(true);
    };
    await bad("POST", "/dead-letters/redrive", { messageIds: ["m"] }, "deadLetterQueue");
    await bad("POST", "/dead-letters/redrive", { deadLetterQueue: "kitchen-inbox-dlq" }, "messageIds");
    await bad(
      "POST",
      "/dead-letters/redrive",
      { deadLetterQueue: "kitchen-inbox-dlq", messageIds: ["m"], reason: "x" },
      "messageIds",
    );
    await bad(
      "POST",
      "/dead-letters/redrive",
      { deadLetterQueue: "kitchen-inbox-dlq", messageIds: [] },
      "messageIds",
    );
    await bad("POST", "/dead-letters/redrive", { deadLetterQueue: "kitchen-inbox-dlq", reason: 7 }, "reason");
    await bad(
      "POST",
      "/dead-letters/discard",
      { deadLetterQueue: "kitchen-inbox-dlq", messageIds: ["m"] },
      "reason",
    );
    await bad(
      "POST",
      "/dead-letters/discard",
      { deadLetterQueue: "kitchen-inbox-dlq", messageIds: ["m"], reason: "  " },
      "reason",
    );
    await bad("GET", "/dead-letters?state=lost", undefined, "state");
    await bad("GET", "/dead-letters/groups?queue=nope", undefined, "queue");
    await bad("GET", "/dead-letters/audit?deadLetterQueue=nope", undefined, "deadLetterQueue");
  });

  it("answers 404 for an unknown dead-letter queue, unknown letters or an empty reason group", async () => {
    const notFound = async (path: string, body: unknown) => {
      const res = await call("POST", path, { role: "operator", body });
      expect(res.status, JSON.stringify(body)).toBe(404);
      return res.json<{ issues: { field: string; reason: string }[] }>();
    };
    for (const [path, body] of [
      ["/dead-letters/redrive", { deadLetterQueue: "nope-dlq", messageIds: ["m"] }],
      ["/dead-letters/discard", { deadLetterQueue: "nope-dlq", messageIds: ["m"], reason: "x" }],
    ] as const)
      expect((await notFound(path, body)).issues.map((i) => i.field)).toEqual(["deadLetterQueue"]);
    const [known] = await fileKitchenLetters("known", 1);
    const answer = await notFound("/dead-letters/redrive", {
      deadLetterQueue: "kitchen-inbox-dlq",
      messageIds: [known, "no-such-letter"],
    });
    expect(answer.issues).toEqual([
      { field: "messageIds", reason: "no letter no-such-letter in this queue" },
    ]);
    await notFound("/dead-letters/discard", {
      deadLetterQueue: "kitchen-inbox-dlq",
      messageIds: ["no-such-letter"],
      reason: "x",
    });
    await notFound("/dead-letters/redrive", {
      deadLetterQueue: "kitchen-inbox-dlq",
      reason: "no such reason",
    });
    // Nothing happened to the known letter.
    expect((await kitchenOffice.list(500)).find((l) => l.messageId === known)?.state).toBe("waiting");
  });

  it("redrives a reason group through the API: the office schedules, sends and records it", async () => {
    const reason = `kitchen closed ${crypto.randomUUID()}`;
    const ids = await fileKitchenLetters(reason, 3);

    const groups = await call("GET", "/dead-letters/groups?queue=kitchen-inbox-dlq", { role: "operator" });
    expect(groups.status).toBe(200);
    const { deadLetterQueues } = await groups.json<{
      deadLetterQueues: { deadLetterQueue: string; reasons: { reason: string; count: number }[] }[];
    }>();
    expect(deadLetterQueues).toHaveLength(1);
    expect(deadLetterQueues[0]!.reasons.find((g) => g.reason === reason)?.count).toBe(3);

    const res = await call("POST", "/dead-letters/redrive", {
      role: "operator",
      body: { deadLetterQueue: "kitchen-inbox-dlq", reason },
    });
    expect(res.status).toBe(202);
    const answer = await res.json<{ scheduled: number; messageIds: string[]; rate: { perSecond: number } }>();
    expect(answer).toMatchObject({ scheduled: 3, notRedrivable: [], rate: { perSecond: 25 } });
    expect(answer.messageIds.sort()).toEqual([...ids].sort());

    // The office's alarm sends them: their state moves on, as the list shows.
    await waitFor("the group redriven", async () => {
      const list = await call("GET", "/dead-letters?queue=kitchen-inbox-dlq&state=redriven&limit=500", {
        role: "operator",
      });
      const { deadLetters } = await list.json<{ deadLetters: { messageId: string; state: string }[] }>();
      return ids.every((id) => deadLetters.some((l) => l.messageId === id)) ? true : undefined;
    });

    const audit = await call("GET", "/dead-letters/audit?deadLetterQueue=kitchen-inbox-dlq", {
      role: "operator",
    });
    expect(audit.status).toBe(200);
    const entry = (await audit.json<{ audit: { reason: string }[] }>()).audit.find(
      (a) => a.reason === reason,
    );
    expect(entry).toMatchObject({
      operator: "operator-7",
      action: "redrive",
      deadLetterQueue: "kitchen-inbox-dlq",
    });
  });

  it("discards through the API, with the operator and the reason recorded", async () => {
    const [id] = await fileKitchenLetters("discard me", 1);
    const res = await call("POST", "/dead-letters/discard", {
      role: "operator",
      body: { deadLetterQueue: "kitchen-inbox-dlq", messageIds: [id], reason: "a test order" },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      deadLetterQueue: "kitchen-inbox-dlq",
      discarded: 1,
      messageIds: [id],
    });
    const list = await call("GET", "/dead-letters?queue=kitchen-inbox-dlq&state=discarded&limit=500", {
      role: "operator",
    });
    const { deadLetters } = await list.json<{ deadLetters: { messageId: string }[] }>();
    expect(deadLetters.find((l) => l.messageId === id)).toMatchObject({
      state: "discarded",
      discardReason: "a test order",
    });
    // Again: it is no longer waiting.
    const again = await call("POST", "/dead-letters/discard", {
      role: "operator",
      body: { deadLetterQueue: "kitchen-inbox-dlq", messageIds: [id], reason: "a test order" },
    });
    expect(again.status).toBe(409);
  });
});
