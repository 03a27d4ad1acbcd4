import { DurableObject } from "cloudflare:workers";
import { Inbox } from "./inbox";

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
}
