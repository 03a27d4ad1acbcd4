/**
 * The published event contract's gate (docs/SCHEMA-GATE.md):
 *
 *   npm run schemas:check     compares the registry and subscriptions with shared/events/published/ and
 *                             exits 1 on a breaking change, a subscription nobody feeds, an emitted type
 *                             with no published schema, a subscription past its sunset, a shortened sunset;
 *   npm run schemas:release   the same comparison, then writes the snapshot (new and compatibly changed
 *                             versions, consumers, deprecations); refuses, writing nothing, on a breaking
 *                             change.
 *
 * The rules live in scripts/contract/ (gate.ts, compatibility.ts); this file only reads, prints, writes.
 */
import { checkContracts, type Finding, type GateResult } from "./contract/gate";
import { PUBLISHED_DIR, readSnapshot, treeInput, writeSnapshot } from "./contract/tree";

const command = process.argv[2];
if (command !== "check" && command !== "release") {
  console.error("usage: tsx scripts/schemas.ts check|release");
  process.exit(2);
}

function print(result: GateResult): void {
  if (result.reports.length) {
    console.log(`Reported (not failing), ${result.reports.length}:`);
    for (const r of result.reports) console.log(`  - ${r.message}`);
  }
  if (result.failures.length) {
    console.error(`\nThe event contract gate FAILS, ${result.failures.length} problem(s):\n`);
    result.failures.forEach((f: Finding, i) => console.error(`${i + 1}. [${f.kind}] ${f.message}\n`));
  }
}

const input = treeInput();
const result = checkContracts(input);
const published = Object.keys(input.snapshot).length;

if (command === "check") {
  print(result);
  if (result.failures.length) process.exit(1);
  console.log(
    `schemas:check: ${published} published contracts in ${PUBLISHED_DIR}, ${Object.keys(input.registry.versions).length} registered versions: no breaking change.`,
  );
} else {
  if (!result.release) {
    print(result);
    console.error(`schemas:release refused: nothing written to ${PUBLISHED_DIR}.`);
    process.exit(1);
  }
  const { written, deleted } = await writeSnapshot(result.release.snapshot, result.release.retired);
  for (const path of written) console.log(`wrote ${path}`);
  for (const path of deleted) console.log(`deleted ${path}`);
  if (!written.length && !deleted.length) console.log(`${PUBLISHED_DIR} is up to date.`);
  // What the gate says about the tree now that the snapshot is recorded.
  const after = checkContracts({ ...input, snapshot: readSnapshot() });
  print(after);
  if (after.failures.length) {
    console.error("schemas:release recorded the snapshot, but the gate still fails (above).");
    process.exit(1);
  }
}
