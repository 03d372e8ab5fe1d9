import { AppError } from "../errors";

/**
 * A multipart/form-data body read as it arrives (RFC 7578), one part after
 * the other, so a file of many megabytes flows through to its reader without
 * ever being held whole in memory. Only what is needed to find the parts is
 * buffered: at most one chunk plus the boundary.
 */

export interface MultipartPart {
  /** The form field's name. */
  name: string;
  /** The file name the browser sent, without any folder; null for a plain field. */
  fileName: string | null;
  /** The part's bytes as they arrive. Read them (or leave them) before asking for the next part. */
  body: AsyncIterable<Uint8Array>;
}

const CRLF = Buffer.from("\r\n");
const HEADERS_END = Buffer.from("\r\n\r\n");
const MAX_HEADER_BYTES = 16 * 1024;
const MAX_PREAMBLE_BYTES = 64 * 1024;

/** The boundary of a multipart/form-data Content-Type, or undefined when it is not one. */
export function multipartBoundary(contentType: string | null): string | undefined {
  if (!contentType || !/^multipart\/form-data\s*(;|$)/i.test(contentType)) return undefined;
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

const malformed = (message: string) =>
  new AppError("invalid_request", message, { fields: [{ path: "file", message }] });

export class MultipartReader {
  private buf: Buffer = Buffer.alloc(0);
  private ended = false;
  private readonly dashBoundary: Buffer;
  private readonly delimiter: Buffer;
  private finished = false;
  private started = false;
  /** The body of the part handed out last, drained before the next part is read. */
  private current: AsyncIterator<Uint8Array> | undefined;

  constructor(
    private readonly source: AsyncIterator<Uint8Array>,
    boundary: string,
  ) {
    this.dashBoundary = Buffer.from(`--${boundary}`);
    this.delimiter = Buffer.from(`\r\n--${boundary}`);
  }

  /** The next part, or null after the closing boundary. */
  async nextPart(): Promise<MultipartPart | null> {
    if (this.current) {
      while (!(await this.current.next()).done);
      this.current = undefined;
    }
    if (this.finished) return null;
    if (!this.started) {
      await this.skipPreamble();
      this.started = true;
    }
    // After a boundary: "--" closes the body, CRLF opens a part (transport padding allowed before it).
    await this.need(2);
    if (this.buf[0] === 0x2d && this.buf[1] === 0x2d) {
      this.finished = true;
      return null;
    }
    let at = 0;
    for (;;) {
      while (at < this.buf.length && (this.buf[at] === 0x20 || this.buf[at] === 0x09)) at++;
      if (at + 2 <= this.buf.length) break;
      if (!(await this.fill())) throw malformed("The upload ended in the middle of a form part");
    }
    if (!this.buf.subarray(at, at + 2).equals(CRLF)) throw malformed("The upload is not valid multipart/form-data");
    this.buf = this.buf.subarray(at + 2);

    const headers = await this.readHeaders();
    const disposition = headers.get("content-disposition") ?? "";
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1] ?? /\bname=([^;\s]+)/i.exec(disposition)?.[1];
    if (name === undefined) throw malformed("A form part has no name");
    const rawFileName = /\bfilename="([^"]*)"/i.exec(disposition)?.[1] ?? null;
    const fileName = rawFileName === null ? null : (rawFileName.split(/[\\/]/).at(-1) ?? "");
    const body = this.partBody();
    this.current = body;
    return { name, fileName, body: { [Symbol.asyncIterator]: () => body } };
  }

  /** Reads a small field's text, refusing one longer than `max` bytes. */
  static async text(part: MultipartPart, max: number): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of part.body) {
      size += chunk.byteLength;
      if (size > max) throw AppError.field("validation_failed", part.name, `${part.name} is too long`);
      chunks.push(Buffer.from(chunk));
    }
    return Buffer.concat(chunks).toString("utf8");
  }

  private async fill(): Promise<boolean> {
    if (this.ended) return false;
    const next = await this.source.next();
    if (next.done) {
      this.ended = true;
      return false;
    }
    const chunk = Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    return true;
  }

  private async need(bytes: number): Promise<void> {
    while (this.buf.length < bytes)
      if (!(await this.fill())) throw malformed("The upload ended before the form was complete");
  }

  private async skipPreamble(): Promise<void> {
    for (;;) {
      const at = this.buf.indexOf(this.dashBoundary);
      if (at === 0 || (at > 0 && this.buf.subarray(at - 2, at).equals(CRLF))) {
        this.buf = this.buf.subarray(at + this.dashBoundary.length);
        return;
      }
      if (this.buf.length > MAX_PREAMBLE_BYTES || !(await this.fill()))
        throw malformed("The upload is not valid multipart/form-data: its boundary is missing");
    }
  }

  private async readHeaders(): Promise<Map<string, string>> {
    let end: number;
    for (;;) {
      if (this.buf.length >= 2 && this.buf.subarray(0, 2).equals(CRLF)) {
        this.buf = this.buf.subarray(2);
        return new Map();
      }
      end = this.buf.indexOf(HEADERS_END);
      if (end >= 0) break;
      if (this.buf.length > MAX_HEADER_BYTES) throw malformed("A form part's headers are too long");
      if (!(await this.fill())) throw malformed("The upload ended in the middle of a form part's headers");
    }
    const headers = new Map<string, string>();
    for (const line of this.buf.subarray(0, end).toString("utf8").split("\r\n")) {
      const colon = line.indexOf(":");
      if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    this.buf = this.buf.subarray(end + HEADERS_END.length);
    return headers;
  }

  /** The part's bytes up to the next delimiter, keeping back only what could be the start of one. */
  private async *partBody(): AsyncGenerator<Uint8Array, void, undefined> {
    for (;;) {
      const at = this.buf.indexOf(this.delimiter);
      if (at >= 0) {
        if (at > 0) yield this.buf.subarray(0, at);
        this.buf = this.buf.subarray(at + this.delimiter.length);
        return;
      }
      const safe = this.buf.length - (this.delimiter.length - 1);
      if (safe > 0) {
        const out = this.buf.subarray(0, safe);
        this.buf = this.buf.subarray(safe);
        yield out;
      }
      if (!(await this.fill())) throw malformed("The upload ended before the file was complete");
    }
  }
}
