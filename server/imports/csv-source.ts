import { Readable } from "node:stream";
import { parse, type CsvError } from "csv-parse";

/**
 * Reads an import file as it arrives: UTF-8 text (a byte-order mark is
 * skipped), records separated by LF, CRLF or CR, fields quoted RFC 4180 style
 * (commas and line breaks inside quotes). Nothing is held but the record
 * being parsed, which may not exceed MAX_RECORD_BYTES, so a huge cell is
 * refused when it passes the limit rather than after it was read. Each record
 * carries the line it starts on (the header is line 1). Whatever makes the
 * file unreadable is an ImportFileError naming the line.
 */

const MAX_RECORD_BYTES = 64 * 1024;
const KIB = MAX_RECORD_BYTES / 1024;

export class ImportFileError extends Error {
  override name = "ImportFileError";
  constructor(
    readonly line: number | null,
    reason: string,
  ) {
    super(line === null ? reason : `Line ${line}: ${reason}`);
  }
}

export interface CsvRecord {
  line: number;
  cells: string[];
}

/** Line breaks in a piece of text, CRLF counting once. */
function lineBreaks(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) n++;
    else if (c === 13) {
      n++;
      if (text.charCodeAt(i + 1) === 10) i++;
    }
  }
  return n;
}

/**
 * Decodes the bytes as UTF-8, refusing what is not text: bytes that are not
 * UTF-8 and NUL characters (a spreadsheet, an archive or an image sent by
 * mistake), each named by the physical line it is on.
 */
async function* decodeText(source: AsyncIterable<Uint8Array | string>): AsyncGenerator<string> {
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
  let line = 1;
  let previousEndedInCr = false;
  const check = (text: string) => {
    const nul = text.indexOf("\u0000");
    if (nul >= 0)
      throw new ImportFileError(
        line + lineBreaks(text.slice(0, nul)),
        "contains a NUL byte; the file is binary, not CSV text (save it as CSV, UTF-8)",
      );
    // A CRLF split across two chunks counts once.
    const counted = previousEndedInCr && text.startsWith("\n") ? text.slice(1) : text;
    line += lineBreaks(counted);
    previousEndedInCr = text.endsWith("\r");
  };
  for await (const chunk of source) {
    let text: string;
    if (typeof chunk === "string") text = chunk;
    else {
      try {
        text = decoder.decode(chunk, { stream: true });
      } catch {
        throw new ImportFileError(line, "is not UTF-8 text; the file must be CSV saved as UTF-8");
      }
    }
    if (text === "") continue;
    check(text);
    yield text;
  }
  let rest: string;
  try {
    rest = decoder.decode();
  } catch {
    throw new ImportFileError(line, "is not UTF-8 text; the file must be CSV saved as UTF-8");
  }
  if (rest !== "") {
    check(rest);
    yield rest;
  }
}

function parseFailure(error: CsvError | Error, line: number): ImportFileError {
  if (error instanceof ImportFileError) return error;
  const code = (error as CsvError).code;
  switch (code) {
    case "CSV_MAX_RECORD_SIZE":
      return new ImportFileError(line, `a row or cell is larger than ${KIB} KiB; is this a CSV file of clients?`);
    case "CSV_QUOTE_NOT_CLOSED":
      return new ImportFileError(line, 'a quoted cell is never closed (a " without its closing ")');
    case "CSV_INVALID_CLOSING_QUOTE":
      return new ImportFileError(
        line,
        'a quoted cell has text after its closing quote; write a quote inside a quoted cell as ""',
      );
    case "INVALID_OPENING_QUOTE":
      return new ImportFileError(line, 'a cell has a quote inside it; quote the whole cell and write the quote as ""');
    default:
      return new ImportFileError(line, "cannot be read as CSV");
  }
}

/**
 * The file's records in order, each with the line it starts on. Blank lines
 * are skipped (they still count as lines).
 */
export async function* readCsvRecords(source: AsyncIterable<Uint8Array | string>): AsyncGenerator<CsvRecord> {
  // Counted in the parser as each record completes, so a parse error names the line of the record it is in
  // even when records before it are still buffered.
  let line = 1;
  const parser = parse({
    bom: true,
    raw: true,
    relax_column_count: true,
    max_record_size: MAX_RECORD_BYTES,
    skip_empty_lines: false,
    // With `raw`, the parser hands on_record the record with its raw text (its typings know only the record).
    on_record: (parsed) => {
      const { record, raw } = parsed as unknown as { record: string[]; raw: string };
      const start = line;
      line += lineBreaks(raw);
      return { line: start, cells: record } satisfies CsvRecord as unknown as string[];
    },
  });
  const input = Readable.from(decodeText(source), { objectMode: false });
  let inputError: Error | undefined;
  input.on("error", (e) => {
    inputError = e;
    parser.destroy(e);
  });
  input.pipe(parser);
  try {
    for await (const record of parser as AsyncIterable<CsvRecord>) {
      if (record.cells.length === 1 && record.cells[0]!.trim() === "") continue;
      yield record;
    }
  } catch (e) {
    throw parseFailure(inputError ?? (e as Error), line);
  } finally {
    input.unpipe(parser);
    input.destroy();
    parser.destroy();
  }
  if (inputError) throw parseFailure(inputError, line);
}
