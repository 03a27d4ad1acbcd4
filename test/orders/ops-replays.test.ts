import { describe, expect, it } from "vitest";
import { opsCall } from "./ops-call";
import { waitFor } from "../support/wait-for";

/**
 * The operators' replay routes: validation, roles, the job they start and its progress. The job runs in
 * the router's real ArchiveReplay object (bound by script_name; the router runs beside orders here, with
 * an archive of its own that these tests leave empty). What a replay sends is
 * test/router/archive-replay.test.ts and test/replay/backfill.test.ts.
 */
const call = opsCall;

const COMPLETED_V1 = "com.plantbasedpizza.order.completed.v1";
const loyaltyReplay = {
  subscriber: "loyalty",
  from: "2026-11-24T03:00:00Z",
  to: "2026-11-24T05:00:00Z",
};

type Job = { id: string; state: string; [field: string]: unknown };

describe("the operators' replay routes", () => {
  it.each([
    ["POST", "/replays", loyaltyReplay],
    ["GET", `/replays/${crypto.randomUUID()}`, undefined],
  ] as const)(
    "%s %s: 401 without a token, 403 for customers, staff and analysts",
    async (method, path, body) => {
      expect((await call(method, path, { body })).status).toBe(401);
      for (const role of ["customer", "staff", "analyst"] as const)
        expect((await call(method, path, { role, body })).status, role).toBe(403);
    },
  );

  it("answers 400 naming the field and the reason for a replay it cannot run", async () => {
    const bad = async (body: unknown, field: string, reason?: RegExp) => {
      const res = await call("POST", "/replays", { role: "operator", body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      const answer = await res.json<{ error: string; issues: { field: string; reason: string }[] }>();
      expect(answer.error).toBe("validation_failed");
      const issue = answer.issues.find((i) => i.field === field);
      expect(issue, `${JSON.stringify(answer.issues)} names ${field}`).toBeDefined();
      if (reason) expect(issue!.reason).toMatch(reason);
      else expect(issue!.reason.length).toBeGreaterThan(0);
    };
    const { subscriber: _s, ...noSubscriber } = loyaltyReplay;
    await bad(noSubscriber, "subscriber");
    await bad(
      { ...loyaltyReplay, subscriber: "marketing" },
      "subscriber",
      /no subscriber "marketing"; one of .*loyalty/,
    );
    await bad({ ...loyaltyReplay, from: "yesterday" }, "from");
    await bad({ ...loyaltyReplay, to: "2026-11-24T03:00:00Z" }, "to", /after from/);
    await bad({ ...loyaltyReplay, to: "2028-01-01T00:00:00Z" }, "to", /at most 366 days/);
    await bad({ ...loyaltyReplay, types: [] }, "types");
    await bad({ ...loyaltyReplay, types: ["order.completed"] }, "types", /not a registered event type/);
    await bad(
      { ...loyaltyReplay, types: ["com.plantbasedpizza.order.completed.v2"] },
      "types",
      /loyalty does not read com\.plantbasedpizza\.order\.completed\.v2; it reads com\.plantbasedpizza\.order\.completed\.v1/,
    );
    await bad({ ...loyaltyReplay, queue: "kitchen-inbox" }, "body");
  });

  it("starts a replay (202, its progress at the Location) that records the operator and runs to its end", async () => {
    const res = await call("POST", "/replays", { role: "operator", body: loyaltyReplay });
    expect(res.status).toBe(202);
    const job = await res.json<Job>();
    expect(res.headers.get("Location")).toBe(`/ops/replays/${job.id}`);
    expect(job).toMatchObject({
      subscriber: "loyalty",
      queue: "loyalty-inbox",
      from: "2026-11-24T03:00:00.000Z",
      to: "2026-11-24T05:00:00.000Z",
      // Without a filter: every type loyalty reads.
      types: [COMPLETED_V1],
      requestedBy: "operator-7",
      state: "running",
      hours: { read: 0, of: 2 },
      eventsSent: 0,
      rate: { perSecond: 100 },
    });

    const done = await waitFor("the replay to finish", async () => {
      const progress = await call("GET", `/replays/${job.id}`, { role: "operator" });
      expect(progress.status).toBe(200);
      const answer = await progress.json<Job>();
      return answer.state === "done" ? answer : undefined;
    });
    // This project's archive is empty: both hours listed, nothing to send.
    expect(done).toMatchObject({
      id: job.id,
      requestedBy: "operator-7",
      hours: { read: 2, of: 2 },
      objectsRead: 0,
      eventsSent: 0,
      error: null,
    });
    expect(done.finishedAt).toEqual(expect.any(String));
  });

  it("narrows a replay to the types asked for", async () => {
    const res = await call("POST", "/replays", {
      role: "operator",
      body: {
        subscriber: "kitchen",
        from: "2026-11-24T03:00:00+01:00",
        to: "2026-11-24T03:30:00+01:00",
        types: ["com.plantbasedpizza.order.cancelled.v1"],
      },
    });
    expect(res.status).toBe(202);
    expect(await res.json<Job>()).toMatchObject({
      queue: "kitchen-inbox",
      from: "2026-11-24T02:00:00.000Z",
      types: ["com.plantbasedpizza.order.cancelled.v1"],
      hours: { of: 1 },
    });
  });

  it("answers 404 for a replay that does not exist", async () => {
    for (const id of [crypto.randomUUID(), "not-an-id"]) {
      const res = await call("GET", `/replays/${id}`, { role: "operator" });
      expect(res.status, id).toBe(404);
      expect((await res.json<{ error: string }>()).error).toBe("not_found");
    }
  });
});
