import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderEventsDoc } from "../../scripts/events-doc";
import { eventTypes, registry } from "../../shared/events/registry";
import { subscriptions } from "../../workers/router/routing-table";

describe("docs/EVENTS.md", () => {
  it("is what `npm run docs:events` makes from the registry and the subscriptions today", () => {
    expect(readFileSync("docs/EVENTS.md", "utf8")).toBe(renderEventsDoc(subscriptions));
  });

  it("documents every registered event with a payload its own schema accepts", () => {
    const doc = renderEventsDoc(subscriptions);
    for (const type of eventTypes) {
      expect(doc).toContain(`## ${type}`);
      expect(registry[type].schema.safeParse(registry[type].example).success, type).toBe(true);
    }
  });
});
