import { z } from "zod";
import { dataschemaFor, eventTypes, isRegistered, registry } from "../../../shared/events/registry";
import { errorResponse } from "../../../shared/http/errors";
import { newRoutes } from "./app";

/**
 * The event schemas as JSON Schema, generated from the registry's zod schemas: what each event's
 * `dataschema` URI names. Public, like any API's contract.
 */
export const schemaRoutes = newRoutes()
  .get("/", (c) =>
    c.json({
      events: eventTypes.map((type) => ({
        type,
        producer: registry[type].producer,
        shape: registry[type].shape,
        dataschema: dataschemaFor(type),
      })),
    }),
  )
  .get("/:file{.+\\.json}", (c) => {
    const type = c.req.param("file").replace(/\.json$/, "");
    if (!isRegistered(type))
      return errorResponse(c, 404, "not_found", `No event type ${type} in the registry.`);
    return c.json({
      $id: dataschemaFor(type),
      title: type,
      description: registry[type].summary,
      ...z.toJSONSchema(registry[type].schema),
    });
  });
