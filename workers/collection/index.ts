import { ContextEntrypoint } from "../../shared/http/context-api";
import { collectionApi } from "./counter-api";
import { collectionEventHandlers } from "./event-handlers";

/** Collection: an order ready for collection waits at the counter until counter staff hand it over. */
export { CounterCollection } from "../../durable-objects/collection/counter-collection";
export { CounterBoard } from "../../durable-objects/collection/counter-board";

/** The counter staff's API, reached through the gateway's service binding. */
export class CollectionApi extends ContextEntrypoint<Env> {
  protected readonly api = collectionApi;

  /** What collection handled about the order (its counter's inbox), for operators' order timeline. */
  handledAbout(orderId: string) {
    return this.env.COUNTER.getByName(orderId).handledEvents();
  }
}

export default {
  queue: collectionEventHandlers,
} satisfies ExportedHandler<Env>;
