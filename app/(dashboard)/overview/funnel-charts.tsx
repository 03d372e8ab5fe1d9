import type { FunnelDay, FunnelStage } from "@/server/overview/funnel";

/**
 * The two Overview charts, drawn by hand: a bar per funnel stage and one line
 * per stage over the days. Each is an image with a name that says what it
 * shows; the exact numbers are in the tables next to it
 * (docs/decisions/0009-overview-funnel.md says why there is no chart library).
 */

/** One colour per stage, the same in both charts; each is at least 3:1 against white. */
const STAGE_COLOURS: Record<string, string> = {
  started: "#4338ca",
  confirmed: "#0f766e",
  identified: "#c2410c",
  subscribed: "#a21caf",
};
/** The lines differ by pattern too, not by colour alone. */
const STAGE_DASHES: Record<string, string | undefined> = {
  started: undefined,
  confirmed: "6 4",
  identified: "2 4",
  subscribed: "10 3 2 3",
};

const number = new Intl.NumberFormat("en");
const dayLabel = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });

export const formatCount = (n: number) => number.format(n);
export const formatDay = (isoDay: string) => dayLabel.format(new Date(`${isoDay}T00:00:00Z`));

/** "60%" of the first stage; "—" when there is nothing to divide by. */
export function shareOf(count: number, of: number): string {
  if (of === 0) return "—";
  return `${Math.round((count / of) * 1000) / 10}%`;
}

export function FunnelBars({ stages, label }: { stages: FunnelStage[]; label: string }) {
  const max = Math.max(1, ...stages.map((s) => s.count));
  const first = stages[0]?.count ?? 0;
  return (
    <div role="img" aria-label={label} className="space-y-3">
      {stages.map((stage) => (
        <div key={stage.key} className="grid grid-cols-[9rem_1fr] items-center gap-3 text-sm sm:grid-cols-[11rem_1fr]">
          <span className="text-slate-700">{stage.label}</span>
          <div className="flex items-center gap-2">
            <div
              className="h-7 rounded-sm"
              style={{
                width: `${(stage.count / max) * 85}%`,
                minWidth: stage.count > 0 ? "2px" : 0,
                backgroundColor: STAGE_COLOURS[stage.key] ?? "#475569",
              }}
            />
            <span className="whitespace-nowrap font-medium tabular-nums text-slate-900">
              {formatCount(stage.count)}
              {stage.key !== "started" && (
                <span className="ml-1 font-normal text-slate-600">({shareOf(stage.count, first)})</span>
              )}
            </span>
          </div>
        </div>
      ))}
    </div>
  );
}

/** 1, 2 or 5 times a power of ten: the smallest such step that splits `max` into at most four gridlines. */
function niceStep(max: number): number {
  const rough = max / 4;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  return Math.max(1, step);
}

const WIDTH = 720;
const HEIGHT = 260;
const PAD = { top: 12, right: 12, bottom: 28, left: 48 };

export function TrendLines({ trend, stages, label }: { trend: FunnelDay[]; stages: FunnelStage[]; label: string }) {
  const peak = Math.max(0, ...trend.flatMap((d) => stages.map((s) => d.counts[s.key])));
  const step = niceStep(peak);
  const top = Math.max(step, Math.ceil(peak / step) * step);
  const ticks = Array.from({ length: Math.round(top / step) + 1 }, (_, i) => i * step);
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (trend.length <= 1 ? plotW / 2 : (i / (trend.length - 1)) * plotW);
  const y = (v: number) => PAD.top + plotH - (v / top) * plotH;
  // About six day labels, whatever the period, always including the last day.
  const every = Math.max(1, Math.ceil(trend.length / 6));
  const labelled = trend.map((_, i) => i).filter((i) => (trend.length - 1 - i) % every === 0);

  return (
    <svg
      role="img"
      aria-label={label}
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      className="h-auto w-full"
      preserveAspectRatio="xMidYMid meet"
    >
      <g aria-hidden="true">
        {ticks.map((t) => (
          <g key={t}>
            <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(t)} y2={y(t)} stroke={t === 0 ? "#64748b" : "#e2e8f0"} />
            <text x={PAD.left - 8} y={y(t)} dy="0.32em" textAnchor="end" fontSize="12" fill="#475569">
              {formatCount(t)}
            </text>
          </g>
        ))}
        {labelled.map((i) => (
          <text
            key={trend[i]!.day}
            x={x(i)}
            y={HEIGHT - 8}
            textAnchor={i === trend.length - 1 && trend.length > 1 ? "end" : "middle"}
            fontSize="12"
            fill="#475569"
          >
            {formatDay(trend[i]!.day)}
          </text>
        ))}
        {stages.map((stage) => (
          <g key={stage.key}>
            <polyline
              points={trend.map((d, i) => `${x(i)},${y(d.counts[stage.key])}`).join(" ")}
              fill="none"
              stroke={STAGE_COLOURS[stage.key] ?? "#475569"}
              strokeWidth="2"
              strokeDasharray={STAGE_DASHES[stage.key]}
              strokeLinejoin="round"
            />
            {trend.length <= 31 &&
              trend.map((d, i) => (
                <circle
                  key={d.day}
                  cx={x(i)}
                  cy={y(d.counts[stage.key])}
                  r="2.5"
                  fill={STAGE_COLOURS[stage.key] ?? "#475569"}
                />
              ))}
          </g>
        ))}
      </g>
    </svg>
  );
}

export function Legend({ stages }: { stages: FunnelStage[] }) {
  return (
    <ul className="flex flex-wrap gap-x-5 gap-y-1 text-sm text-slate-700" aria-label="Legend">
      {stages.map((stage) => (
        <li key={stage.key} className="flex items-center gap-2">
          <svg width="28" height="10" aria-hidden="true">
            <line
              x1="0"
              x2="28"
              y1="5"
              y2="5"
              stroke={STAGE_COLOURS[stage.key] ?? "#475569"}
              strokeWidth="2.5"
              strokeDasharray={STAGE_DASHES[stage.key]}
            />
          </svg>
          {stage.label}
        </li>
      ))}
    </ul>
  );
}
