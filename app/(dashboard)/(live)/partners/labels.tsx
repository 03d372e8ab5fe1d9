/** Small pieces the Partners pages share. */

const dateTime = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
export const when = (d: Date | null | undefined) => (d ? `${dateTime.format(d)} UTC` : "—");

type Tone = "green" | "grey" | "amber" | "rose";
const tones: Record<Tone, string> = {
  green: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  grey: "bg-slate-100 text-slate-700 ring-slate-300",
  amber: "bg-amber-50 text-amber-900 ring-amber-200",
  rose: "bg-rose-50 text-rose-800 ring-rose-200",
};

export function Badge({ tone, children }: { tone: Tone; children: string }) {
  return <span className={`inline-flex whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ${tones[tone]}`}>{children}</span>;
}

export function PartnerStatusBadge({ status }: { status: "active" | "suspended" }) {
  return status === "active" ? <Badge tone="green">Active</Badge> : <Badge tone="rose">Suspended</Badge>;
}

export function clientCountText(p: { clientCount: number; clientCountCapped: boolean }) {
  return p.clientCountCapped ? `${p.clientCount.toLocaleString("en")}+` : p.clientCount.toLocaleString("en");
}
