import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The layers run one way: workers/ -> durable-objects/ -> shared/. A worker tells its context's story
 * with the Durable Objects that keep the context's data; a Durable Object builds on the shared
 * mechanisms (envelope, registry, outbox, inbox); shared/ knows no context. None of them imports
 * Node-only code (node: built-ins, scripts/, test/): they run in workerd.
 */
const LAYERS = {
  workers: ["workers", "durable-objects", "shared"],
  "durable-objects": ["durable-objects", "shared"],
  shared: ["shared"],
} as const;
type Layer = keyof typeof LAYERS;

// Module specifiers of static imports and re-exports (type-only too), side-effect imports and import().
const IMPORT =
  /(?:^|[^\w$."'])(?:import|export)\s*(?:type\s+)?(?:[\w$*{},\s]+?\s+from\s*)?["']([^"']+)["']|(?:^|[^\w$."'])import\s*\(\s*["']([^"']+)["']\s*\)/g;
// Comment lines (JSDoc, //) may quote code; they are not imports.
const COMMENT_LINE = /^\s*(\/\/|\/\*|\*).*$/gm;

/** The imports in one file's source that run against the layers, each naming the file and the import. */
function violationsIn(file: string, source: string): string[] {
  const layer = file.split("/")[0] as Layer;
  const allowed: readonly string[] = LAYERS[layer];
  const found: string[] = [];
  for (const match of source.replace(COMMENT_LINE, "").matchAll(IMPORT)) {
    const specifier = (match[1] ?? match[2])!;
    if (specifier.startsWith("node:")) {
      found.push(`${file} imports "${specifier}": Node-only code belongs in scripts/, not in ${layer}/`);
    } else if (specifier.startsWith(".")) {
      const target = normalize(join(dirname(file), specifier));
      const targetLayer = target.split("/")[0]!;
      if (!allowed.includes(targetLayer)) {
        found.push(
          `${file} imports "${specifier}" (${target}): ${layer}/ may import only ${allowed.map((l) => `${l}/`).join(", ")}`,
        );
      }
    }
  }
  return found;
}

/** Every TypeScript source of the three layers (generated .d.ts typings are not code anyone writes). */
function sources(): string[] {
  return Object.keys(LAYERS).flatMap((layer) =>
    readdirSync(layer, { recursive: true, encoding: "utf8" })
      .map((path) => join(layer, path))
      .filter((path) => path.endsWith(".ts") && !path.endsWith(".d.ts")),
  );
}

describe("the layers", () => {
  it("run one way: workers/ -> durable-objects/ -> shared/, with no Node-only code in any of them", () => {
    const files = sources();
    expect(files.length).toBeGreaterThan(50);
    expect(files.flatMap((file) => violationsIn(file, readFileSync(file, "utf8")))).toEqual([]);
  });

  it("are checked on every kind of import, naming the file and the import", () => {
    const source = [
      '/** A comment may say: import { Order } from "../../workers/orders". */',
      'import { menu } from "../../workers/orders/menu";',
      "import type {",
      "  Tool,",
      '} from "../../scripts/tool";',
      'export { x } from "../../test/support/x";',
      'import "../../workers/side-effect";',
      'const lazy = () => import("../../workers/lazy");',
      'import { readFileSync } from "node:fs";',
      'import { z } from "zod";',
      'import { createEvent } from "../../shared/events/envelope";',
      'import { Delivery } from "../delivery/delivery";',
    ].join("\n");
    expect(violationsIn("durable-objects/orders/order.ts", source)).toEqual([
      'durable-objects/orders/order.ts imports "../../workers/orders/menu" (workers/orders/menu): durable-objects/ may import only durable-objects/, shared/',
      'durable-objects/orders/order.ts imports "../../scripts/tool" (scripts/tool): durable-objects/ may import only durable-objects/, shared/',
      'durable-objects/orders/order.ts imports "../../test/support/x" (test/support/x): durable-objects/ may import only durable-objects/, shared/',
      'durable-objects/orders/order.ts imports "../../workers/side-effect" (workers/side-effect): durable-objects/ may import only durable-objects/, shared/',
      'durable-objects/orders/order.ts imports "../../workers/lazy" (workers/lazy): durable-objects/ may import only durable-objects/, shared/',
      'durable-objects/orders/order.ts imports "node:fs": Node-only code belongs in scripts/, not in durable-objects/',
    ]);
    expect(
      violationsIn("shared/events/x.ts", 'import { Order } from "../../durable-objects/orders/order";'),
    ).toHaveLength(1);
    expect(
      violationsIn(
        "workers/kitchen/x.ts",
        'import { KitchenTicket } from "../../durable-objects/kitchen/kitchen-ticket";',
      ),
    ).toEqual([]);
  });
});
