import { expect } from "vitest";
import type { Principal } from "../../shared/auth/token";
import { waitFor } from "./wait-for";

/**
 * A staff screen's live board, opened in a workerd test straight through a context's Hono app (as the
 * gateway hands it a request with the verified principal), read message by message.
 */
interface ContextApp<E> {
  fetch(request: Request, env: E & { principal: Principal }): Response | Promise<Response>;
}

interface ServerEnd {
  accept(): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  close(code?: number, reason?: string): void;
}

export type BoardMessage<Board> = { type: string; board: Board };

export async function openLiveBoard<E, Board>(
  app: ContextApp<E>,
  path: string,
  env: E,
  principal: Principal,
  headers: Record<string, string> = { "Sec-WebSocket-Protocol": "pizza-live.v1, bearer.not-read-here" },
) {
  const response = await app.fetch(
    new Request(`https://pizza.test${path}`, { headers: { Upgrade: "websocket", ...headers } }),
    { ...env, principal },
  );
  expect(response.status, `${path} upgrades`).toBe(101);
  // The server's end of workerd's WebSocketPair (typed here without the Workers types: this file is also
  // type-checked by the Node test config).
  const socket = (response as unknown as { webSocket: ServerEnd }).webSocket;
  const messages: BoardMessage<Board>[] = [];
  socket.addEventListener("message", (e) => {
    messages.push(JSON.parse(String(e.data)) as BoardMessage<Board>);
  });
  socket.accept();
  let seen = 0;
  return {
    response,
    messages,
    /** The next message (after those already taken) whose board satisfies `predicate`. */
    async next(what: string, predicate: (board: Board) => boolean): Promise<BoardMessage<Board>> {
      return waitFor(
        what,
        async () => {
          for (; seen < messages.length; seen++) {
            const message = messages[seen]!;
            if (predicate(message.board)) {
              seen++;
              return message;
            }
          }
          return undefined;
        },
        { timeoutMs: 10_000, intervalMs: 20 },
      );
    },
    close: () => socket.close(1000, "test done"),
  };
}
