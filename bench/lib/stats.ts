// Small statistics helpers: medians and ranges of runs, percentiles of latency samples.

export function median(values: number[]): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function range(values: number[]): [number, number] {
  return values.length ? [Math.min(...values), Math.max(...values)] : [NaN, NaN];
}

export function fmt(value: number | undefined, digits = 0): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** "1,234 (1,200–1,250)": the median and the min–max of the runs. */
export function medianRange(values: number[], digits = 0): string {
  if (!values.length) return '–';
  const [lo, hi] = range(values);
  return values.length === 1 ? fmt(values[0], digits) : `${fmt(median(values), digits)} (${fmt(lo, digits)}–${fmt(hi, digits)})`;
}
