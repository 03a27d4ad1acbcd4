import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  REDRIVE_PER_TICK,
  type DeadLetterOffice,
  type FiledLetter,
} from "../../durable-objects/dead-letters/dead-letter-office";
import { REDRIVE_BINDINGS } from "../../workers/dead-letters/redrive";
import { tapped } from "../support/queue-tap";
import { waitFor } from "../support/wait-for";

/**
 * Operators act on dead letters: grouped by reason, redriven (to the queue each failed in, at most
 * REDRIVE_PER_TICK per alarm run, read back from the real queues by the tap) or discarded, repeated
 * failures marked, every action recorded. Each test has an office of its own and events of its own.
 */
type Office = DurableObjectStub<DeadLetterOffice>;
const freshOffice = (): Office => env.DEAD_LETTER_OFFICE.getByName(`ops-${crypto.randomUUID()}-dlq`);

const run = crypto.randomUUID().slice(0, 8);
let n = 0;
/** An event as it was on the queue, unique to this run. */
const event = (tag: string) => ({
  specversion: "1.0",
  id: `evt-${run}-${tag}-${++n}`,
  source: "/kitchen",
  type: "com.plantbasedpizza.kitchen.pizza-baked.v1",
  data: { orderId: `order-${tag}` },
});
type Event = ReturnType<typeof event>;

async function file(
  office: Office,
  letters: { id: string; queue?: string; reason?: string; body?: unknown; eventId?: string }[],
) {
  await office.file(
    letters.map((l) => {
      const body = (l.body ?? event(l.id)) as { id?: string };
      return {
        messageId: l.id,
        deadLetterQueue: "kitchen-inbox-dlq",
        queue: l.queue ?? "kitchen-inbox",
        reason: l.reason ?? "invalid data",
        attempts: 3,
        ...((l.eventId ?? body.id) ? { eventId: l.eventId ?? body.id } : {}),
        deadLetteredAt: new Date().toISOString(),
        bodyJson: JSON.stringify(body),
      };
    }),
  );
}

const letters = async (office: Office) =>
  new Map((await office.list(500)).map((l): [string, FiledLetter] => [l.messageId, l]));
const statesOf = async (office: Office) => {
  const counts: Record<string, number> = {};
  for (const l of (await letters(office)).values()) counts[l.state] = (counts[l.state] ?? 0) + 1;
  return counts;
};
const bodyOf = async (office: Office, id: string) =>
  JSON.parse((await letters(office)).get(id)!.bodyJson) as Event;

/** What reached `queue` of this test's events. */
const arrived = async (queue: string, ids: Set<string>) =>
  ((await tapped(queue)) as Event[]).filter((e) => ids.has(e.id));

describe("acting on dead letters", () => {
  it("groups the waiting letters by reason, with counts, oldest and newest", async () => {
    const office = freshOffice();
    await file(office, [{ id: "a1", reason: "invalid data" }]);
    await file(office, [
      { id: "a2", reason: "invalid data" },
      { id: "b1", reason: "unknown order" },
    ]);
    await file(office, [{ id: "a3", reason: "invalid data" }]);
    const all = await letters(office);
    const groups = await office.groups();
    expect(groups).toEqual([
      {
        reason: "invalid data",
        count: 3,
        oldestReceivedAt: all.get("a1")!.receivedAt,
        newestReceivedAt: all.get("a3")!.receivedAt,
        repeatedFailures: 0,
      },
      {
        reason: "unknown order",
        count: 1,
        oldestReceivedAt: all.get("b1")!.receivedAt,
        newestReceivedAt: all.get("b1")!.receivedAt,
        repeatedFailures: 0,
      },
    ]);
    // Only waiting letters count.
    await office.discard({ deadLetterQueue: "q", operator: "op-1", messageIds: ["b1"], reason: "test" });
    expect((await office.groups()).map((g) => [g.reason, g.count])).toEqual([["invalid data", 3]]);
  });

  it("redrives the chosen letters, exactly as they were, to the queue each failed in, and no others", async () => {
    const office = freshOffice();
    const bus = event("bus");
    await file(office, [
      { id: "k1" },
      { id: "k2" },
      { id: "k3" },
      { id: "r1", queue: "pizza-events", body: bus },
    ]);
    const bodies = await Promise.all(["k1", "k2", "k3"].map((id) => bodyOf(office, id)));
    const result = await office.redrive({
      deadLetterQueue: "kitchen-inbox-dlq",
      targets: REDRIVE_BINDINGS,
      operator: "op-1",
      messageIds: ["k1", "k3", "r1"],
    });
    expect(result).toEqual({ outcome: "done", messageIds: ["k1", "k3", "r1"] });
    expect((await letters(office)).get("k1")!.state).toBe("redrive-scheduled");
    expect(await runDurableObjectAlarm(office)).toBe(true);

    const ids = new Set([...bodies.map((b) => b.id), bus.id]);
    const kitchen = await waitFor("two letters back on kitchen-inbox", async () => {
      const found = await arrived("kitchen-inbox", ids);
      return found.length >= 2 ? found : undefined;
    });
    expect(kitchen).toEqual([bodies[0], bodies[2]]);
    // A bus letter goes back to the bus, never to a subscriber's queue; a subscriber's never to the bus.
    expect(
      await waitFor("the bus letter back on the bus", async () => {
        const found = await arrived("pizza-events", ids);
        return found.length >= 1 ? found : undefined;
      }),
    ).toEqual([bus]);
    const after = await letters(office);
    expect([...after.values()].map((l) => [l.messageId, l.state]).sort()).toEqual([
      ["k1", "redriven"],
      ["k2", "waiting"],
      ["k3", "redriven"],
      ["r1", "redriven"],
    ]);
    for (const q of ["payments-inbox", "orders-inbox", "loyalty-inbox"])
      expect(await arrived(q, ids), q).toEqual([]);
    expect((await arrived("kitchen-inbox", ids)).length).toBe(2);
  });

  it(`redrives a whole reason group at most ${REDRIVE_PER_TICK} per alarm run, until done`, async () => {
    const office = freshOffice();
    const total = 2 * REDRIVE_PER_TICK + 10;
    const group = Array.from({ length: total }, (_, i) => ({
      id: `g-${String(i).padStart(3, "0")}`,
      queue: "payments-inbox",
      reason: "payment provider down",
    }));
    await file(office, [...group, { id: "other", queue: "payments-inbox", reason: "something else" }]);
    const result = await office.redrive({
      deadLetterQueue: "payments-inbox-dlq",
      targets: REDRIVE_BINDINGS,
      operator: "op-2",
      reason: "payment provider down",
    });
    expect(result.outcome === "done" && result.messageIds.length).toBe(total);
    expect(await statesOf(office)).toEqual({ "redrive-scheduled": total, waiting: 1 });

    expect(await runDurableObjectAlarm(office)).toBe(true);
    expect(await statesOf(office)).toEqual({
      redriven: REDRIVE_PER_TICK,
      "redrive-scheduled": total - REDRIVE_PER_TICK,
      waiting: 1,
    });
    expect(await runDurableObjectAlarm(office)).toBe(true);
    expect(await statesOf(office)).toEqual({
      redriven: 2 * REDRIVE_PER_TICK,
      "redrive-scheduled": total - 2 * REDRIVE_PER_TICK,
      waiting: 1,
    });
    expect(await runDurableObjectAlarm(office)).toBe(true);
    expect(await statesOf(office)).toEqual({ redriven: total, waiting: 1 });

    const all = await letters(office);
    const ids = new Set([...all.values()].map((l) => l.eventId!));
    const sent = await waitFor(`${total} letters back on payments-inbox`, async () => {
      const found = await arrived("payments-inbox", ids);
      return found.length >= total ? found : undefined;
    });
    expect(sent.map((e) => e.id).sort()).toEqual(group.map((g) => all.get(g.id)!.eventId).sort());
    // Done: the alarm is back to retention, a fortnight away, not another tick.
    const alarm = await nextAlarm(office);
    expect(alarm).toBeGreaterThan(Date.now() + 24 * 60 * 60 * 1000);
  });

  it("discards letters with a reason: kept, no longer waiting, and not redrivable", async () => {
    const office = freshOffice();
    await file(office, [{ id: "d1" }, { id: "d2" }]);
    expect(
      await office.discard({
        deadLetterQueue: "kitchen-inbox-dlq",
        operator: "op-3",
        messageIds: ["d1"],
        reason: "test order, no customer",
      }),
    ).toEqual({ outcome: "done", messageIds: ["d1"] });
    const d1 = (await letters(office)).get("d1")!;
    expect(d1).toMatchObject({ state: "discarded", discardReason: "test order, no customer" });
    expect((await office.list(10, "waiting")).map((l) => l.messageId)).toEqual(["d2"]);
    expect((await office.list(10, "discarded")).map((l) => l.messageId)).toEqual(["d1"]);
    expect(
      await office.redrive({
        deadLetterQueue: "kitchen-inbox-dlq",
        targets: REDRIVE_BINDINGS,
        operator: "op-3",
        messageIds: ["d1"],
      }),
    ).toEqual({ outcome: "conflict", letters: [{ messageId: "d1", why: "it is discarded, not waiting" }] });
    expect(
      await office.discard({
        deadLetterQueue: "q",
        operator: "op-3",
        messageIds: ["d2", "nope"],
        reason: "x",
      }),
    ).toEqual({ outcome: "unknown", messageIds: ["nope"] });
    expect((await letters(office)).get("d2")!.state).toBe("waiting");
  });

  it("refuses to redrive a letter that cannot go back as it was, and skips it in a reason group", async () => {
    const office = freshOffice();
    await file(office, [
      { id: "u1", queue: "unknown", reason: "unreadable" },
      { id: "u2", reason: "unreadable" },
    ]);
    expect(
      await office.redrive({
        deadLetterQueue: "q",
        targets: REDRIVE_BINDINGS,
        operator: "op",
        messageIds: ["u1", "u2"],
      }),
    ).toMatchObject({ outcome: "conflict", letters: [{ messageId: "u1" }] });
    expect(
      await office.redrive({
        deadLetterQueue: "q",
        targets: REDRIVE_BINDINGS,
        operator: "op",
        reason: "unreadable",
      }),
    ).toMatchObject({
      outcome: "done",
      messageIds: ["u2"],
      notRedrivable: [{ messageId: "u1" }],
    });
  });

  it("marks a letter filed again for an event it redrove from the same queue as a repeated failure", async () => {
    const office = freshOffice();
    const body = event("again");
    await file(office, [
      { id: "first", body },
      { id: "elsewhere", queue: "loyalty-inbox", body },
    ]);
    await office.redrive({
      deadLetterQueue: "q",
      targets: REDRIVE_BINDINGS,
      operator: "op",
      messageIds: ["first", "elsewhere"],
    });
    await runDurableObjectAlarm(office);
    // It fails again in the kitchen: a new message, the same event.
    await file(office, [{ id: "second", body, reason: "still invalid" }]);
    expect((await letters(office)).get("second")).toMatchObject({
      state: "waiting",
      repeatedFailure: true,
      // Once: "elsewhere" was redriven to another queue, which is not this failure's history.
      repeatedFailures: 1,
    });
    expect((await office.groups()).find((g) => g.reason === "still invalid")).toMatchObject({
      count: 1,
      repeatedFailures: 1,
    });
    await office.redrive({
      deadLetterQueue: "q",
      targets: REDRIVE_BINDINGS,
      operator: "op",
      messageIds: ["second"],
    });
    await runDurableObjectAlarm(office);
    await file(office, [
      { id: "third", body },
      { id: "new", body: event("fresh") },
    ]);
    const all = await letters(office);
    expect(all.get("third")).toMatchObject({ repeatedFailure: true, repeatedFailures: 2 });
    expect(all.get("new")).toMatchObject({ repeatedFailure: false, repeatedFailures: 0 });
    expect(all.get("first")).toMatchObject({ repeatedFailure: false });
  });

  it("records who redrove and who discarded what, and why", async () => {
    const office = freshOffice();
    await file(office, [{ id: "x1", reason: "r" }, { id: "x2", reason: "r" }, { id: "x3" }]);
    await office.redrive({
      deadLetterQueue: "kitchen-inbox-dlq",
      targets: REDRIVE_BINDINGS,
      operator: "alice-op",
      reason: "r",
    });
    await office.discard({
      deadLetterQueue: "kitchen-inbox-dlq",
      operator: "bob-op",
      messageIds: ["x3"],
      reason: "duplicate of a fixed order",
    });
    const audit = await office.audit();
    expect(audit).toEqual([
      {
        deadLetterQueue: "kitchen-inbox-dlq",
        at: expect.any(String),
        operator: "bob-op",
        action: "discard",
        messageIds: ["x3"],
        reason: "duplicate of a fixed order",
      },
      {
        deadLetterQueue: "kitchen-inbox-dlq",
        at: expect.any(String),
        operator: "alice-op",
        action: "redrive",
        messageIds: expect.arrayContaining(["x1", "x2"]),
        reason: "r",
      },
    ]);
    expect(audit[1]!.messageIds).toHaveLength(2);
  });
});

/** The office's next alarm. */
const nextAlarm = (office: Office) =>
  runInDurableObject(office, (_o: DeadLetterOffice, state) => state.storage.getAlarm());
