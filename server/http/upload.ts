import { AppError } from "../errors";

/** Uploads read as streams (an import file), never held whole in memory. */

/**
 * `source` as it is, remembering the first error its reading threw: a reader
 * further down (a parser) may turn any failure of its input into its own
 * message, and the transport's own refusal (413, a broken form) should win.
 */
export function watchedSource<T>(source: AsyncIterator<T>): { source: AsyncIterable<T>; failure(): unknown } {
  let failure: unknown;
  const watched: AsyncIterator<T> = {
    async next() {
      try {
        return await source.next();
      } catch (error) {
        failure ??= error;
        throw error;
      }
    },
    return: async (value?: unknown) => (await source.return?.(value)) ?? { done: true, value: undefined },
  };
  return { source: { [Symbol.asyncIterator]: () => watched }, failure: () => failure };
}

const megabytes = (bytes: number) => `${Math.round(bytes / (1024 * 1024))} MB`;

/**
 * The request's body chunk by chunk under a size cap: a file far larger than
 * any JSON body (route()'s BODY_LIMIT_BYTES) flows through, and the upload is
 * refused with 413 (naming `field`) as soon as it passes `limit` bytes,
 * whether its Content-Length said so up front or its bytes show it on the way.
 */
export function limitedBody(req: Request, limit: number, field: string): AsyncGenerator<Uint8Array, void, undefined> {
  const message = `The upload must be at most ${megabytes(limit)}`;
  const tooLarge = new AppError("payload_too_large", message, { fields: [{ path: field, message }] });
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > limit) throw tooLarge;
  async function* read(): AsyncGenerator<Uint8Array, void, undefined> {
    if (!req.body) return;
    const reader = req.body.getReader();
    let size = 0;
    let done = false;
    try {
      for (;;) {
        const next = await reader.read();
        if (next.done) {
          done = true;
          return;
        }
        size += next.value.byteLength;
        if (size > limit) throw tooLarge;
        yield next.value;
      }
    } finally {
      // A reader that stopped early (a refused file, the cap) lets the rest of the upload go.
      if (done) reader.releaseLock();
      else await reader.cancel().catch(() => undefined);
    }
  }
  return read();
}
