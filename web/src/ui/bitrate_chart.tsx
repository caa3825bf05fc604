// A bitrate-over-time chart (uPlot on a canvas). The figure states its latest value in words for screen
// readers, and data attributes tell tests how much it has drawn.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { formatBitrate } from '../domain/format';
import type { Series } from '../state/history';

const MIN_SPAN_S = 60;

interface Props {
  series: Series | undefined;
  label: string; // "Input bitrate", "YouTube bitrate"
  height?: number;
}

function options(width: number, height: number, label: string): uPlot.Options {
  const grid = { stroke: 'rgba(160, 170, 200, 0.15)', width: 1 };
  const axis = { stroke: '#9aa3b8', grid, ticks: grid };
  return {
    width,
    height,
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
    scales: {
      // At least a minute wide, at most the kept window: two samples must not stretch across the whole chart.
      x: { time: true, range: (_u, min, max) => [Math.min(min, max - MIN_SPAN_S), max] },
      y: { range: (_u, _min, max) => [0, Math.max(100, Math.ceil(max * 1.15))] },
    },
    axes: [axis, { ...axis, size: 56, values: (_u, ticks) => ticks.map((v) => (v >= 1000 ? `${v / 1000}M` : `${v}k`)) }],
    series: [
      {},
      { label, stroke: '#7c9cff', width: 2, fill: 'rgba(124, 156, 255, 0.18)', points: { show: false } },
    ],
  };
}

export function BitrateChart({ series, label, height = 160 }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const times = series?.t ?? [];
  const values = series?.v ?? [];

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const chart = new uPlot(options(Math.max(200, element.clientWidth), height, label), [times, values], element);
    plot.current = chart;
    // The card's width follows the window (phone, rotation, sidebar): redraw at the new width.
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(200, element.clientWidth), height }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, [label, height]);

  useEffect(() => {
    plot.current?.setData([times, values]);
  }, [series]);

  const last = values.length > 0 ? (values[values.length - 1] as number) : 0;
  const max = values.reduce((a, b) => Math.max(a, b), 0);
  return (
    <figure class="chart" data-samples={values.length} data-max-kbps={max}>
      <div ref={box} class="chart-canvas" role="img"
        aria-label={`${label} over the last minutes; now ${formatBitrate(last)}`} />
      <figcaption>{label}: <strong>{formatBitrate(last)}</strong>{values.length < 2 ? ' (collecting…)' : ''}</figcaption>
    </figure>
  );
}
