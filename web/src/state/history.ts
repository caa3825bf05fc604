// A sliding window of samples over time, kept as the two parallel arrays uPlot draws ([times], [values]).

export interface Series {
  t: number[]; // seconds since the epoch, increasing
  v: number[];
}

export const HISTORY_SECONDS = 300; // "the last minutes" of the charts

export function emptySeries(): Series {
  return { t: [], v: [] };
}

// A new series with the sample added and the samples older than `windowS` before it dropped. A sample at or
// before the last one's time replaces the samples it overtakes (a server clock stepping back must not draw a
// line backwards).
export function appendSample(series: Series | undefined, t: number, v: number, windowS = HISTORY_SECONDS): Series {
  const times = series?.t ?? [];
  const values = series?.v ?? [];
  let end = times.length;
  while (end > 0 && (times[end - 1] as number) >= t) end--;
  let start = 0;
  while (start < end && (times[start] as number) < t - windowS) start++;
  return { t: [...times.slice(start, end), t], v: [...values.slice(start, end), v] };
}
