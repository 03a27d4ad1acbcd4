import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_RETENTION_DAYS,
  retentionDays,
  type DeadLetterOffice,
} from "../../durable-objects/dead-letters/dead-letter-office";

/**
 * Dead letters hold customer data: each office deletes a letter DEAD_LETTER_RETENTION_DAYS after
 * filing it (its alarm), and wakes again while it holds any. Time is moved by moving a letter's
 * stored received_at back, never by waiting.
 */
const DAY_MS = 24 * 60 * 60 * 1000;
const retentionMs = Number(env.DEAD_LETTER_RETENTION_DAYS) * DAY_MS;

/** A fresh office (one per test), and letters filed in it. */
async function officeWith(...ids: string[]) {
  const office = env.DEAD_LETTER_OFFICE.getByName(`retention-${crypto.randomUUID()}-dlq`);
  await office.file(
    ids.map((id) => ({
      messageId: id,
      deadLetterQueue: "kitchen-inbox-dlq",
      queue: "kitchen-inbox",
      reason: "invalid data",
      attempts: 1,
      eventId: `evt-${id}`,
      deadLetteredAt: new Date().toISOString(),
      bodyJson: JSON.stringify({ id: `evt-${id}`, data: { customerId: "alice" } }),
    })),
  );
  return office;
}

/** The letter was filed `ms` earlier than it was. */
const fileEarlier = (office: DurableObjectStub<DeadLetterOffice>, id: string, ms: number) =>
  runInDurableObject(office, (_o: DeadLetterOffice, state) => {
    const { received_at } = state.storage.sql
      .exec<{ received_at: string }>("SELECT received_at FROM dead_letters WHERE message_id = ?", id)
      .one();
    const earlier = new Date(Date.parse(received_at) - ms).toISOString();
    state.storage.sql.exec("UPDATE dead_letters SET received_at = ? WHERE message_id = ?", earlier, id);
    return Date.parse(earlier);
  });

const alarmOf = (office: DurableObjectStub<DeadLetterOffice>) =>
  runInDurableObject(office, (_o: DeadLetterOffice, state) => state.storage.getAlarm());

const kept = async (office: DurableObjectStub<DeadLetterOffice>) =>
  (await office.list(100)).map((l) => l.messageId).sort();

describe("dead-letter retention", () => {
  it("is set in the dead-letters worker's wrangler.toml, and falls back to its default if unusable", () => {
    expect(env.DEAD_LETTER_RETENTION_DAYS).toBe(String(DEFAULT_RETENTION_DAYS));
    expect(retentionDays("7")).toEqual({ days: 7 });
    expect(retentionDays(undefined)).toEqual({ days: DEFAULT_RETENTION_DAYS });
    for (const unusable of ["0", "-3", "two weeks"])
      expect(retentionDays(unusable)).toMatchObject({
        days: DEFAULT_RETENTION_DAYS,
        problem: expect.any(String),
      });
  });

  it("arms the alarm when a letter is filed, for when it expires", async () => {
    const before = Date.now();
    const office = await officeWith("a");
    const [letter] = await office.list(1);
    expect(await alarmOf(office)).toBe(Date.parse(letter!.receivedAt) + retentionMs);
    expect(Date.parse(letter!.receivedAt)).toBeGreaterThanOrEqual(before);
  });

  it("deletes only the letters older than the retention period, and wakes again for the rest", async () => {
    const office = await officeWith("expired", "long-expired", "about-to-expire", "fresh");
    await fileEarlier(office, "expired", retentionMs + 60_000);
    await fileEarlier(office, "long-expired", 3 * retentionMs);
    const nextToExpire = await fileEarlier(office, "about-to-expire", retentionMs - 60_000);
    await fileEarlier(office, "fresh", 0);

    expect(await runDurableObjectAlarm(office)).toBe(true);

    expect(await kept(office)).toEqual(["about-to-expire", "fresh"]);
    // Re-armed for the oldest letter left, not for the next retention period from now.
    expect(await alarmOf(office)).toBe(nextToExpire + retentionMs);
  });

  it("does not wake again once the last letter has expired", async () => {
    const office = await officeWith("one", "two");
    await fileEarlier(office, "one", retentionMs + 1);
    await fileEarlier(office, "two", retentionMs + 1);

    expect(await runDurableObjectAlarm(office)).toBe(true);

    expect(await kept(office)).toEqual([]);
    expect(await alarmOf(office)).toBeNull();
    expect(await runDurableObjectAlarm(office)).toBe(false);
  });

  it("keeps letters filed later in the same office until their own time", async () => {
    const office = await officeWith("first");
    await fileEarlier(office, "first", retentionMs + 1);
    await office.file([
      {
        messageId: "second",
        deadLetterQueue: "kitchen-inbox-dlq",
        queue: "kitchen-inbox",
        reason: "invalid data",
        attempts: 1,
        deadLetteredAt: new Date().toISOString(),
        bodyJson: "{}",
      },
    ]);
    expect(await runDurableObjectAlarm(office)).toBe(true);
    expect(await kept(office)).toEqual(["second"]);
    const [second] = await office.list(1);
    expect(await alarmOf(office)).toBe(Date.parse(second!.receivedAt) + retentionMs);
  });
});
