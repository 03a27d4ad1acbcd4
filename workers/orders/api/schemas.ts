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
import { apiRoute, json, serve } from "../../../shared/http/openapi";
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

const TAGS = ["Event schemas"];

const listSchemas = apiRoute(
  {
    method: "get",
    path: "/",
    tags: TAGS,
    summary: "Every registered event type and version",
    responses: {
      200: json(
        z.object({
          events: z.array(
            z.looseObject({
              type: z.string(),
              version: z.number().int(),
              producer: z.string(),
              dataschema: z.string(),
              deprecation: z.looseObject({ since: z.string(), sunset: z.string() }).optional(),
            }),
          ),
        }),
        "The event types.",
      ),
    },
  },
  { roles: "anyone" },
);

const eventSchema = apiRoute(
  {
    method: "get",
    path: "/{file}",
    tags: TAGS,
    summary: "One event type and version's JSON Schema (what its `dataschema` names)",
    request: {
      params: z.object({
        file: z.string().openapi({
          description: "The full type with its version, then `.json`.",
          example: "com.plantbasedpizza.order.submitted.v1.json",
        }),
      }),
    },
    responses: { 200: json(z.record(z.string(), z.unknown()), "A JSON Schema (draft 2020-12).") },
  },
  { roles: "anyone" },
  { 404: "No such event type in the registry." },
);

export const schemaRoutes = serve(newRoutes(), listSchemas, (c) =>
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
);
// Only names ending in .json route here (a regular expression the declaration's path cannot carry), so it
// is declared for the document and served by Hono directly: a file name needs no validation.
schemaRoutes.openAPIRegistry.registerPath(eventSchema);
schemaRoutes.get("/:file{.+\\.json}", (c) => {
  const type = c.req.param("file").replace(/\.json$/, "");
  if (!isRegistered(type))
    return errorResponse(c, 404, "not_found", `No event type ${type} in the registry.`);
  return c.json(jsonSchemaOf(type));
});
