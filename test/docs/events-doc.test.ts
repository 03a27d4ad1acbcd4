import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderEventsDoc } from "../../scripts/events-doc";
import { deprecationOf, eventTypes, registry } from "../../shared/events/registry";
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

  it("gives each version its status, and each deprecated one its since, sunset, replacement and migration", () => {
    const doc = renderEventsDoc(subscriptions);
    for (const type of eventTypes) {
      const section = doc.slice(doc.indexOf(`## ${type}\n`)).split("\n## ")[0]!;
      const deprecation = deprecationOf(type);
      if (!deprecation) {
        expect(section, type).toContain("- **Status:** active");
        continue;
      }
      expect(section, type).toContain("- **Status:** deprecated");
      expect(section, type).toContain(`**Since:** ${deprecation.since}`);
      expect(section, type).toContain(`**Sunset:** ${deprecation.sunset}`);
      expect(section, type).toContain(`**Replaced by:** [\`${deprecation.replacedBy}\`]`);
      expect(section, type).toContain(`**Migration:** ${deprecation.migration}`);
    }
  });
});
