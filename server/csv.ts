/**
 * CSV for the back office's exports (clients, audit log): RFC 4180 text built
 * one keyset page at a time, so an export of any size holds one page in memory.
 */

type CsvValue = string | number | Date | null | undefined;

/** A column: its header and how a row's value is read. */
export type CsvColumn<T> = readonly [header: string, value: (row: T) => CsvValue];

// A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
const FORMULA_START = /^[=+\-@\t\r]/;

/** One RFC 4180 field, neutralised against formula injection by a leading apostrophe. */
function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return "";
  let text = value instanceof Date ? value.toISOString() : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const csvLine = (cells: CsvValue[]) => `${cells.map(csvCell).join(",")}\r\n`;

function csvHeader<T>(columns: ReadonlyArray<CsvColumn<T>>): string {
  return csvLine(columns.map(([header]) => header));
}

/**
 * The header, then one chunk per page fetched through `nextPage`, following
 * its cursor to the end. Nothing is capped and nothing accumulates: the next
 * page is read only when the consumer asks for more.
 */
export async function* streamCsvPages<T>(
  columns: ReadonlyArray<CsvColumn<T>>,
  nextPage: (cursor: string | null) => Promise<{ items: T[]; nextCursor: string | null }>,
): AsyncGenerator<string, void, undefined> {
  yield csvHeader(columns);
  let cursor: string | null = null;
  do {
    const page = await nextPage(cursor);
    if (page.items.length > 0) yield page.items.map((row) => csvLine(columns.map(([, value]) => value(row)))).join("");
    cursor = page.nextCursor;
  } while (cursor);
}
