import { z } from "zod";
import { deprecationSentence } from "../../../shared/events/catalog-page";
import {
  dataschemaFor,
  deprecationOf,
  eventTypes,
  isRegistered,
  registry,
  versionOf,
  type EventType,
} from "../../../shared/events/registry";
import { errorResponse } from "../../../shared/http/errors";
import { newRoutes } from "./app";

/**
 * The event schemas as JSON Schema, generated from the registry's zod schemas: what each event's
 * `dataschema` URI names, for every type and version. A deprecated version's schema says so (JSON
 * Schema's `deprecated: true`, its sunset and replacement in the description). Public, like any API's
 * contract; the readable page of the same events is GET /catalog.
 */
function jsonSchemaOf(type: EventType) {
  const { $schema, ...schema } = z.toJSONSchema(registry[type].schema) as Record<string, unknown>;
  const deprecation = deprecationOf(type);
  return {
    $schema,
    $id: dataschemaFor(type),
    title: type,
    ...schema,
    description: deprecation
      ? `${registry[type].summary} ${deprecationSentence(deprecation)}`
      : registry[type].summary,
    ...(deprecation ? { deprecated: true } : {}),
  };
}

export const schemaRoutes = newRoutes()
  .get("/", (c) =>
    c.json({
      events: eventTypes.map((type) => ({
        type,
        version: versionOf(type).version,
        producer: registry[type].producer,
        shape: registry[type].shape,
        dataschema: dataschemaFor(type),
        ...(deprecationOf(type) ? { deprecation: deprecationOf(type) } : {}),
      })),
    }),
  )
  .get("/:file{.+\\.json}", (c) => {
    const type = c.req.param("file").replace(/\.json$/, "");
    if (!isRegistered(type))
      return errorResponse(c, 404, "not_found", `No event type ${type} in the registry.`);
    return c.json(jsonSchemaOf(type));
  });
