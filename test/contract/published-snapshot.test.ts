import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compareSchemas } from "../../scripts/contract/compatibility";
import { checkContracts } from "../../scripts/contract/gate";
import { contractFor, metadataOf, METADATA } from "../../scripts/contract/published";
import { contractFile, PUBLISHED_DIR, readSnapshot, treeInput } from "../../scripts/contract/tree";
import { dataschemaFor, eventTypes, registry } from "../../shared/events/registry";
import { subscriptions } from "../../workers/router/routing-table";

/** The committed snapshot (shared/events/published/) and the tree as it is: the gate passes on it. */
describe("the published contract", () => {
  const snapshot = readSnapshot();

  it("has one file per registered type and version, and nothing else", () => {
    expect(Object.keys(snapshot).sort()).toEqual([...eventTypes].sort());
  });

  it.each(eventTypes)("matches the registry's %s today", (type) => {
    const published = snapshot[type]!;
    const today = contractFor(type, registry[type], subscriptions);
    expect(compareSchemas(published, today)).toEqual([]);
    expect(published.$id).toBe(dataschemaFor(type));
    expect(published.title).toBe(type);
    const metadata = metadataOf(published);
    expect(metadata.type).toBe(type);
    expect(metadata.producer).toBe(registry[type].producer);
    const deprecation = (registry[type] as { deprecation?: object }).deprecation;
    expect(metadata.deprecation ?? null).toEqual(deprecation ?? null);
  });

  it("is written as `npm run schemas:release` writes it (Prettier's JSON)", async () => {
    for (const type of eventTypes) {
      const path = `${PUBLISHED_DIR}/${type}.json`;
      expect(readFileSync(path, "utf8"), path).toBe(await contractFile(snapshot[type]!, path));
    }
  });

  it("keeps its metadata in one block", () => {
    const confirmed = snapshot["com.plantbasedpizza.order.confirmed.v1"]!;
    expect(Object.keys(confirmed[METADATA] as object)).toEqual([
      "type",
      "producer",
      "shape",
      "consumers",
      "deprecation",
    ]);
  });

  it("passes the gate on the tree as it is (npm run schemas:check)", () => {
    const result = checkContracts(treeInput());
    expect(result.failures.map((f) => f.message)).toEqual([]);
  });
});
