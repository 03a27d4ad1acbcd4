import { DurableObject } from "cloudflare:workers";
import { Inbox, type InboxEntry, type InboxFilter } from "./inbox";
import { closeLiveSocket } from "./live-sockets";

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

  /**
   * Objects that keep a customer's live view (the Order, the LoyaltyAccount: shared/durable/live-sockets.ts)
   * accept hibernating WebSockets that only listen: what a client says is ignored ("ping" is answered
   * without waking the object), and a close is finished the same way everywhere. An object with no live
   * view never gets a socket, so these never run for it.
   */
  override webSocketMessage(): void {}

  override webSocketClose(ws: WebSocket, code: number, reason: string): void {
    closeLiveSocket(ws, code, reason);
  }

  override webSocketError(ws: WebSocket): void {
    closeLiveSocket(ws, 1011, "error");
  }
}
