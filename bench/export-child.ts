export {};

/**
 * Streams the CSV export of every client (as an admin sees it) to nowhere and
 * prints one JSON line: rows, bytes, milliseconds and this process's peak RSS.
 * Run by bench/clients.ts in a process of its own, so the RSS is the export's.
 */
process.env.LOG_LEVEL = "warn";
const { streamClientsCsv } = await import("../server/clients/export");
const { clientFiltersSchema } = await import("../server/clients/schemas");
const { systemCaller } = await import("../server/caller");
const { closeDb } = await import("../db/client");
const started = performance.now();
let bytes = 0;
let lines = 0;
// An admin sees every partner, as the system does.
for await (const chunk of streamClientsCsv(systemCaller("bench"), clientFiltersSchema.parse({}))) {
  bytes += Buffer.byteLength(chunk);
  for (let i = chunk.indexOf("\n"); i !== -1; i = chunk.indexOf("\n", i + 1)) lines++;
}
const ms = performance.now() - started;
await closeDb();
process.stdout.write(
  `${JSON.stringify({ rows: lines - 1, bytes, ms: Math.round(ms), maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`,
);
