import type { Funnel } from "@/server/overview/funnel";
import { EmptyState } from "../../_components/ui";
import { formatCount, formatDay, FunnelBars, Legend, shareOf, TrendLines } from "./funnel-charts";

/** The Overview's funnel and daily trend, rendered on the server: each chart with its numbers in a table beside it. */

const asOfTime = new Intl.DateTimeFormat("en-GB", {
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  timeZone: "UTC",
});

/** "every minute", "every 30 seconds", "every 5 minutes". */
function every(seconds: number): string {
  if (seconds === 60) return "every minute";
  if (seconds % 60 === 0) return `every ${seconds / 60} minutes`;
  return `every ${seconds} seconds`;
}

/** When the days before today were counted, and how often they are: today is always counted live. */
function countedWhen(f: Funnel): string | null {
  if (!f.pastDaysAsOf) return null;
  const recount = f.recountEverySeconds ? `, recounted ${every(f.recountEverySeconds)}` : "";
  return `Counts of the days before today as of ${asOfTime.format(f.pastDaysAsOf)} UTC${recount}; today is live.`;
}

function period(f: Funnel): string {
  return `${formatDay(f.from)} – ${formatDay(f.to)} (UTC)`;
}

export function FunnelView({ funnel, scopeLabel }: { funnel: Funnel; scopeLabel: string }) {
  const funnelCaption = "funnel-chart";
  const asOf = countedWhen(funnel);
  const trendCaption = "trend-chart";
  const started = funnel.stages[0]?.count ?? 0;
  const funnelSummary = `Onboarding funnel for ${scopeLabel}, ${period(funnel)}: ${funnel.stages
    .map((s, i) => `${s.label} ${formatCount(s.count)}${i === 0 ? "" : ` (${shareOf(s.count, started)})`}`)
    .join(", ")}.`;
  const busiest = funnel.trend.reduce(
    (best, d) => (d.counts.started > (best?.counts.started ?? -1) ? d : best),
    funnel.trend[0],
  );
  const trendSummary = `Registrations started per day for ${scopeLabel}, ${period(funnel)}, with how many of each day's registrations have confirmed their email and been identified${
    busiest && busiest.counts.started > 0
      ? `; the busiest day was ${formatDay(busiest.day)} with ${formatCount(busiest.counts.started)} started`
      : ""
  }.`;

  return (
    <div className="space-y-8">
      <section aria-labelledby={`${funnelCaption}-heading`} className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id={`${funnelCaption}-heading`} className="text-lg font-semibold text-slate-900">
          Onboarding funnel
        </h2>
        <p className="mt-1 text-sm text-slate-600">
          Registrations started {period(funnel)} for {scopeLabel}, and how many of them have reached each stage since.
        </p>
        {asOf && <p className="mt-1 text-sm text-slate-600">{asOf}</p>}

        {started === 0 ? (
          <div className="mt-4">
            <EmptyState title={`No registrations started in the last ${funnel.days} days`}>
              Choose another partner or a longer period.
            </EmptyState>
          </div>
        ) : (
          <div className="mt-5 grid gap-6 lg:grid-cols-[3fr_2fr]">
            <figure aria-labelledby={funnelCaption}>
              <FunnelBars stages={funnel.stages} label={funnelSummary} />
              <figcaption id={funnelCaption} className="mt-3 text-xs text-slate-600">
                Onboarding funnel chart; the same numbers are in the table.
              </figcaption>
            </figure>
            <table className="w-full text-sm">
              <caption className="sr-only">Onboarding funnel</caption>
              <thead className="border-b border-slate-200 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
                <tr>
                  <th scope="col" className="py-2 pr-3">
                    Stage
                  </th>
                  <th scope="col" className="py-2 pr-3 text-right">
                    Count
                  </th>
                  <th scope="col" className="py-2 text-right">
                    Of started
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {funnel.stages.map((stage) => (
                  <tr key={stage.key}>
                    <th scope="row" className="py-2 pr-3 text-left font-normal text-slate-800">
                      {stage.label}
                    </th>
                    <td className="py-2 pr-3 text-right font-medium tabular-nums">{formatCount(stage.count)}</td>
                    <td className="py-2 text-right tabular-nums text-slate-700">{shareOf(stage.count, started)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby={`${trendCaption}-heading`} className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id={`${trendCaption}-heading`} className="text-lg font-semibold text-slate-900">
          Daily trend
        </h2>
        <p className="mt-1 text-sm text-slate-600">
          Each day counts the registrations started that day and how many of them have got further since.
        </p>
        {started === 0 ? (
          <p className="mt-4 text-sm text-slate-600">Nothing to plot: no registrations started in this period.</p>
        ) : (
          <div className="mt-5 grid gap-6 xl:grid-cols-[3fr_2fr]">
            <figure aria-labelledby={trendCaption} className="min-w-0">
              <TrendLines trend={funnel.trend} stages={funnel.stages} label={trendSummary} />
              <div className="mt-2">
                <Legend stages={funnel.stages} />
              </div>
              <figcaption id={trendCaption} className="mt-2 text-xs text-slate-600">
                Daily trend chart; the numbers for every day are in the table.
              </figcaption>
            </figure>
            <table className="w-full text-sm">
              <caption className="sr-only">Registrations by day</caption>
              <thead className="border-b border-slate-200 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
                <tr>
                  <th scope="col" className="py-1.5 pr-3">
                    Day
                  </th>
                  {funnel.stages.map((stage) => (
                    <th key={stage.key} scope="col" className="py-1.5 pr-3 text-right last:pr-0">
                      {stage.label}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {[...funnel.trend].reverse().map((day) => (
                  <tr key={day.day}>
                    <th scope="row" className="whitespace-nowrap py-1 pr-3 text-left font-normal text-slate-800">
                      <time dateTime={day.day}>{formatDay(day.day)}</time>
                    </th>
                    {funnel.stages.map((stage) => (
                      <td key={stage.key} className="py-1 pr-3 text-right tabular-nums last:pr-0">
                        {formatCount(day.counts[stage.key])}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
