import type { PGlite } from "@electric-sql/pglite";
import net from "node:net";
import { SCRAM_MECHANISM, ScramExchange, scramVerifier } from "./scram";

/**
 * Serves one PGlite database over the PostgreSQL wire protocol to many
 * connections (this process's pool, the Next.js server, the admin CLI).
 *
 * PGlite is a single session, so connections take turns: a connection that
 * starts talking owns the session until the server is ready for a new query
 * outside a transaction (after Sync or a simple Query with no transaction
 * open). That keeps each extended-protocol exchange (Parse/Bind/Execute/Sync)
 * and each transaction whole; interleaving them would mix up statements.
 *
 * Every connection must first prove it knows the password (SCRAM-SHA-256).
 * Until it has, nothing it sends reaches PGlite, not even its startup message,
 * and it never waits for the session.
 */

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
// PostgreSQL refuses startup packets over 10,000 bytes; a SCRAM message is well under 1 KiB.
// Capping both keeps a stranger from making us buffer gigabytes before it has authenticated.
const MAX_UNAUTHENTICATED_MESSAGE = 10_000;
// PostgreSQL's authentication_timeout: a connection that never finishes signing in is dropped.
const AUTHENTICATION_TIMEOUT_MS = 60_000;
const AUTH_SASL = 10;
const AUTH_SASL_CONTINUE = 11;
const AUTH_SASL_FINAL = 12;

function authenticationMessage(code: number, data: Buffer): Buffer {
  const message = Buffer.alloc(9 + data.length);
  message.write("R", 0);
  message.writeInt32BE(8 + data.length, 1);
  message.writeInt32BE(code, 5);
  data.copy(message, 9);
  return message;
}

function passwordRefused(): Buffer {
  const fields = ["SFATAL", "VFATAL", "C28P01", "Mpassword authentication failed"].map((f) => `${f}\0`).join("") + "\0";
  const message = Buffer.alloc(5 + Buffer.byteLength(fields));
  message.write("E", 0);
  message.writeInt32BE(4 + Buffer.byteLength(fields), 1);
  message.write(fields, 5);
  return message;
}

/** The client-first-message inside a SASLInitialResponse (mechanism, data length, data), if it asks for SCRAM-SHA-256. */
function saslInitialData(body: Buffer): string | undefined {
  const end = body.indexOf(0);
  if (end < 0 || body.subarray(0, end).toString() !== SCRAM_MECHANISM || body.length < end + 5) return undefined;
  const length = body.readInt32BE(end + 1);
  if (length < 0 || body.length !== end + 5 + length) return undefined;
  return body.subarray(end + 5).toString();
}

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
export async function serveOverWire(
  db: PGlite,
  { password, host = "127.0.0.1", port = 0 }: { password: string; host?: string; port?: number },
): Promise<WireServer> {
  const verifier = scramVerifier(password);
  const lock = new SessionLock();
  const sockets = new Set<net.Socket>();
  let nextId = 1;

  const server = net.createServer((socket) => {
    const id = nextId++;
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.setTimeout(AUTHENTICATION_TIMEOUT_MS, () => socket.destroy());
    let buffer = Buffer.alloc(0);
    let phase: "startup" | "sasl-initial" | "sasl-response" | "ready" | "refused" = "startup";
    let startup: Uint8Array | undefined;
    const scram = new ScramExchange(verifier);
    let chain = Promise.resolve();

    const refuse = () => {
      phase = "refused";
      buffer = Buffer.alloc(0);
      socket.end(passwordRefused(), () => socket.destroy());
    };

    /** One SASL message from a client not yet authenticated; PGlite sees the startup message only once the proof is right. */
    const authenticate = async (body: Buffer) => {
      if (phase === "sasl-initial") {
        const clientFirst = saslInitialData(body);
        const serverFirst = clientFirst === undefined ? undefined : scram.serverFirst(clientFirst);
        if (serverFirst === undefined) return refuse();
        phase = "sasl-response";
        socket.write(authenticationMessage(AUTH_SASL_CONTINUE, Buffer.from(serverFirst)));
        return;
      }
      const serverFinal = scram.serverFinal(body.toString());
      if (serverFinal === undefined) return refuse();
      phase = "ready";
      socket.setTimeout(0);
      socket.write(authenticationMessage(AUTH_SASL_FINAL, Buffer.from(serverFinal)));
      // PGlite answers the startup message with AuthenticationOk, the parameters and ReadyForQuery.
      await run(startup!, true);
    };

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
        if (phase === "refused") return;
        if (phase === "startup") {
          if (buffer.length < 8) return;
          const length = buffer.readInt32BE(0);
          const code = buffer.readInt32BE(4);
          if (length < 8 || length > MAX_UNAUTHENTICATED_MESSAGE) return refuse();
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
          startup = new Uint8Array(message);
          phase = "sasl-initial";
          socket.write(authenticationMessage(AUTH_SASL, Buffer.from(`${SCRAM_MECHANISM}\0\0`)));
          continue;
        }
        if (buffer.length < 5) return;
        const type = String.fromCharCode(buffer[0]!);
        const length = 1 + buffer.readInt32BE(1);
        if (phase !== "ready" && (type !== "p" || length < 5 || length > MAX_UNAUTHENTICATED_MESSAGE)) return refuse();
        if (buffer.length < length) return;
        const message = buffer.subarray(0, length);
        buffer = buffer.subarray(length);
        if (phase !== "ready") {
          await authenticate(Buffer.from(message.subarray(5)));
          continue;
        }
        if (type === "X") {
          socket.end();
          return;
        }
        await run(new Uint8Array(message), type === "S" || type === "Q");
      }
    };

    socket.on("data", (chunk) => {
      if (phase === "refused") return;
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
