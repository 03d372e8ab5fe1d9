import { toAppError } from "../errors";
import { log } from "../log";

/** Pull-based: the next chunk is produced only when the client has read the previous one. */
function streamOf(
  chunks: AsyncGenerator<string, void, undefined>,
  requestId: string | null,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { value, done } = await chunks.next();
        if (done) controller.close();
        else controller.enqueue(encoder.encode(value));
      } catch (thrown) {
        // The answer has begun, so the download itself fails; the log says why, as for any request.
        const { error, unexpected } = toAppError(thrown);
        if (unexpected) log.error("CSV export failed mid-stream", { requestId, error: thrown });
        else log.warn("CSV export stopped mid-stream", { requestId, code: error.code });
        controller.error(thrown);
      }
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
}

/** A CSV download streamed from `chunks`, named `<name>-YYYYMMDD.csv`. */
export function csvResponse(
  chunks: AsyncGenerator<string, void, undefined>,
  o: { name: string; requestId: string | null },
): Response {
  const day = new Date().toISOString().slice(0, 10).replaceAll("-", "");
  return new Response(streamOf(chunks, o.requestId), {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${o.name}-${day}.csv"`,
      "cache-control": "no-store",
    },
  });
}
