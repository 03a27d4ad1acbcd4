import { readFileSync } from "node:fs";
import { Parser } from "@asyncapi/parser";
import { describe, expect, it } from "vitest";
import { buildAsyncApi } from "../../scripts/asyncapi";
import { eventTypes } from "../../shared/events/registry";
import { subscriptions } from "../../workers/router/routing-table";

describe("docs/asyncapi.json", () => {
  it("is what `npm run docs:events` makes from the registry and the subscriptions today", () => {
    expect(JSON.parse(readFileSync("docs/asyncapi.json", "utf8"))).toEqual(buildAsyncApi(subscriptions));
  });

  it("is a valid AsyncAPI 3 document describing every event and every subscriber", async () => {
    const { document, diagnostics } = await new Parser().parse(readFileSync("docs/asyncapi.json", "utf8"));
    const errors = diagnostics.filter((d) => d.severity === 0);
    expect(errors.map((d) => `${d.path.join(".")}: ${d.message}`)).toEqual([]);
    expect(
      document!
        .components()
        .messages()
        .all()
        .map((m) => m.name())
        .sort(),
    ).toEqual([...eventTypes].sort());
    const receivers = document!
      .operations()
      .filterByReceive()
      .map((o) => o.id());
    expect(receivers.sort()).toEqual(subscriptions.map((s) => `${s.subscriber}-consumes`).sort());
  });
});
