/**
 * The load generator's HTTP client: node:http with kept-alive connections.
 * The load generator shares the machine's CPU with the server it measures,
 * and fetch (undici) cost several times more CPU per request here than
 * node:http does, CPU the server and its hashing threads then lacked.
 */
import http from "node:http";

export interface Answer {
  status: number;
  body: string;
}

export function httpClient(base: string, maxSockets: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  const url = new URL(base);
  const send = (method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
    new Promise<Answer>((resolve, reject) => {
      const req = http.request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          method,
          path,
          headers: body === undefined ? headers : { ...headers, "content-length": String(Buffer.byteLength(body)) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  return {
    get: (path: string) => send("GET", path),
    post: (path: string, headers: Record<string, string>, body: string) => send("POST", path, headers, body),
    close: () => agent.destroy(),
  };
}
