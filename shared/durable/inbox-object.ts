import { DurableObject } from "cloudflare:workers";
import { Inbox, type InboxEntry, type InboxFilter } from "./inbox";

/**
 * Base for a Durable Object that applies events (each once, through its inbox) to data it owns.
 * PublishingObject adds the outbox for objects that also announce what happened.
 */
export abstract class InboxObject<E = unknown> extends DurableObject<E> {
  protected readonly sql: SqlStorage;
  protected readonly inbox: Inbox;

  constructor(ctx: DurableObjectState, env: E) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.inbox = new Inbox(ctx.storage);
  }

  /**
   * The events this object applied (all, about one subject, or the given ones), for operators' timeline
   * of an order: each context's worker asks its own objects (an RPC method every consuming object has).
   * Reads only: asking an object that applied nothing stores nothing.
   */
  handledEvents(filter?: InboxFilter): InboxEntry[] {
    return this.inbox.entries(filter);
  }
}
