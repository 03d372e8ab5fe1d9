/** How every benchmark prints: one line per figure, with its goal and a verdict when it has one. */

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function line(name: string, value: string, goal: string, ok?: boolean) {
  const verdict = ok === undefined ? "" : ok ? "  PASS" : "  MISS";
  process.stdout.write(`${name.padEnd(44)} ${value.padStart(16)}   goal: ${goal}${verdict}\n`);
}
