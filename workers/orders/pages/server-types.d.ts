/**
 * The pages import the API's real types (an order's view, an address, the loyalty account) from the
 * server's own modules, so tsc reads those modules too, and they use the Workers runtime's names. The
 * runtime's type file cannot join the browser's (DOM) types here: both declare `Element`, `Text`,
 * `fetch`… and the pages would be checked against a mix of the two (HTMLRewriter's `Element.append`
 * hiding the DOM's). So the names the server modules use are declared here, loosely: enough to read
 * their types. None of this exists in a browser; pages must not use it. A server module using another
 * runtime name makes `npm run typecheck` say "Cannot find name …" in that module: declare it here.
 */
declare module "cloudflare:workers" {
  export abstract class DurableObject<E = unknown> {
    protected ctx: DurableObjectState;
    protected env: E;
    constructor(ctx: DurableObjectState, env: E);
    fetch?(request: Request): Response | Promise<Response>;
    alarm?(alarmInfo?: AlarmInvocationInfo): void | Promise<void>;
    webSocketMessage?(ws: WebSocket, message: string | ArrayBuffer): void | Promise<void>;
    webSocketClose?(ws: WebSocket, code: number, reason: string, wasClean: boolean): void | Promise<void>;
    webSocketError?(ws: WebSocket, error: unknown): void | Promise<void>;
  }
  export abstract class WorkerEntrypoint<E = unknown> {
    protected ctx: ExecutionContext;
    protected env: E;
    constructor(ctx: ExecutionContext, env: E);
  }
  export const env: any;
  export const exports: any;
}

type Env = any;
type ExecutionContext = any;
type DurableObjectState = any;
interface DurableObjectStorage {
  readonly sql: SqlStorage;
  [other: string]: any;
}
type DurableObjectNamespace<T = unknown> = any;
type DurableObjectStub<T = unknown> = any;
type DurableObjectId = any;
type Queue<T = unknown> = any;
type QueueSendOptions = any;
type MessageSendRequest<T = unknown> = any;
type R2Bucket = any;
type Fetcher = any;
type RateLimit = any;
type ExportedHandler<E = unknown> = any;
type AlarmInvocationInfo = any;

type SqlStorageValue = ArrayBuffer | string | number | null;
interface SqlStorage {
  exec<T extends Record<string, SqlStorageValue>>(query: string, ...bindings: any[]): SqlStorageCursor<T>;
}
interface SqlStorageCursor<T> {
  next(): IteratorResult<T, undefined>;
  toArray(): T[];
  one(): T;
  raw<U extends SqlStorageValue[]>(): IterableIterator<U>;
  columnNames: string[];
  readonly rowsRead: number;
  readonly rowsWritten: number;
  [Symbol.iterator](): IterableIterator<T>;
}
interface Message<Body = unknown> {
  readonly id: string;
  readonly timestamp: Date;
  readonly body: Body;
  readonly attempts: number;
  retry(options?: { delaySeconds?: number }): void;
  ack(): void;
}
interface MessageBatch<Body = unknown> {
  readonly messages: readonly Message<Body>[];
  readonly queue: string;
  retryAll(options?: { delaySeconds?: number }): void;
  ackAll(): void;
}

// Durable Objects' WebSockets (the Hibernation API) on the server side of a live view.
declare class WebSocketPair {
  0: WebSocket;
  1: WebSocket;
}
interface WebSocket {
  accept(): void;
  serializeAttachment(value: unknown): void;
  deserializeAttachment(): any;
}
interface ResponseInit {
  webSocket?: WebSocket | null;
}
interface Response {
  readonly webSocket: WebSocket | null;
}
declare class WebSocketRequestResponsePair {
  constructor(request: string, response: string);
}
