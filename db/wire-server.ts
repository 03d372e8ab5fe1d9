import type { PGlite } from "@electric-sql/pglite";
import net from "node:net";

/**
 * Serves one PGlite database over the PostgreSQL wire protocol to many
 * connections (this process's pool, the Next.js server, the admin CLI).
 *
 * PGlite is a single session, so connections take turns: a connection that
 * starts talking owns the session until the server is ready for a new query
 * outside a transaction (after Sync or a simple Query with no transaction
 * open). That keeps each extended-protocol exchange (Parse/Bind/Execute/Sync)
 * and each transaction whole; interleaving them would mix up statements.
 */

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;

class SessionLock {
  private owner: number | undefined;
  private readonly waiters: Array<{ id: number; grant: () => void }> = [];

  async acquire(id: number): Promise<void> {
    if (this.owner === id) return;
    if (this.owner === undefined) {
      this.owner = id;
      return;
    }
    await new Promise<void>((grant) => this.waiters.push({ id, grant }));
  }

  release(id: number): void {
    if (this.owner !== id) return;
    const next = this.waiters.shift();
    this.owner = next?.id;
    next?.grant();
  }

  abandon(id: number): void {
    const i = this.waiters.findIndex((w) => w.id === id);
    if (i >= 0) this.waiters.splice(i, 1);
  }

  isOwner(id: number): boolean {
    return this.owner === id;
  }
}

export interface WireServer {
  port: number;
  close(): Promise<void>;
}

/** Port 0 picks a free one; a restarted database asks for its previous port so running pools find it again. */
export async function serveOverWire(db: PGlite, { host = "127.0.0.1", port = 0 }: { host?: string; port?: number } = {}): Promise<WireServer> {
  const lock = new SessionLock();
  const sockets = new Set<net.Socket>();
  let nextId = 1;

  const server = net.createServer((socket) => {
    const id = nextId++;
    sockets.add(socket);
    socket.setNoDelay(true);
    let buffer = Buffer.alloc(0);
    let started = false;
    let chain = Promise.resolve();

    const run = async (message: Uint8Array, endsExchange: boolean) => {
      await lock.acquire(id);
      if (socket.destroyed) {
        lock.release(id);
        return;
      }
      await db.runExclusive(() =>
        db.execProtocolRawStream(message, {
          onRawData: (data) => {
            if (data.length > 0 && socket.writable) socket.write(Buffer.from(data));
          },
        }),
      );
      if (endsExchange && !db.isInTransaction()) lock.release(id);
    };

    const drain = async () => {
      for (;;) {
        if (!started) {
          if (buffer.length < 8) return;
          const length = buffer.readInt32BE(0);
          const code = buffer.readInt32BE(4);
          if (buffer.length < length) return;
          const message = buffer.subarray(0, length);
          buffer = buffer.subarray(length);
          if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
            socket.write("N");
            continue;
          }
          if (code === CANCEL_REQUEST) {
            socket.end();
            return;
          }
          started = true;
          await run(new Uint8Array(message), true);
          continue;
        }
        if (buffer.length < 5) return;
        const type = String.fromCharCode(buffer[0]!);
        const length = 1 + buffer.readInt32BE(1);
        if (buffer.length < length) return;
        const message = buffer.subarray(0, length);
        buffer = buffer.subarray(length);
        if (type === "X") {
          socket.end();
          return;
        }
        await run(new Uint8Array(message), type === "S" || type === "Q");
      }
    };

    socket.on("data", (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      chain = chain.then(drain).catch(() => {
        socket.destroy();
      });
    });
    const cleanUp = () => {
      sockets.delete(socket);
      chain = chain.then(async () => {
        lock.abandon(id);
        if (lock.isOwner(id)) {
          // The client vanished mid-transaction: roll it back so the next one starts clean.
          // A database closed meanwhile has already discarded the transaction.
          if (!db.closed && db.isInTransaction()) await db.exec("ROLLBACK").catch(() => undefined);
          lock.release(id);
        }
      });
    };
    socket.on("close", cleanUp);
    socket.on("error", () => socket.destroy());
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
