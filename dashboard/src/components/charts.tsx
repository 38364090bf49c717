// Charts as small inline SVG (no chart library): stacked bars for throughput, a line for rates.

/** One series of a chart. */
export interface Series {
  label: string;
  /** CSS class giving its colour. */
  class: string;
  values: number[];
}

const WIDTH = 600;
const HEIGHT = 160;
const PAD_LEFT = 36;
const PAD_BOTTOM = 20;

function niceMax(value: number): number {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

function Axes(props: { max: number; format: (v: number) => string; labels: string[] }) {
  const plotHeight = HEIGHT - PAD_BOTTOM;
  const tickEvery = Math.max(1, Math.ceil(props.labels.length / 6));
  return (
    <g class="axes">
      {[0, 0.5, 1].map((f) => (
        <g key={f}>
          <line x1={PAD_LEFT} x2={WIDTH} y1={plotHeight - f * (plotHeight - 8)} y2={plotHeight - f * (plotHeight - 8)} />
          <text x={PAD_LEFT - 4} y={plotHeight - f * (plotHeight - 8) + 4} text-anchor="end">
            {props.format(f * props.max)}
          </text>
        </g>
      ))}
      {props.labels.map((label, i) =>
        i % tickEvery === 0 ? (
          <text key={i} x={PAD_LEFT + ((i + 0.5) * (WIDTH - PAD_LEFT)) / props.labels.length} y={HEIGHT - 4} text-anchor="middle">
            {label}
          </text>
        ) : null,
      )}
    </g>
  );
}

function Legend(props: { series: Series[] }) {
  return (
    <div class="legend">
      {props.series.map((s) => (
        <span key={s.label}>
          <i class={`swatch ${s.class}`} />
          {s.label} ({s.values.reduce((a, b) => a + b, 0)})
        </span>
      ))}
    </div>
  );
}

/** Bars per bucket, the series stacked. `labels` name the buckets (times). */
export function StackedBars(props: { title: string; labels: string[]; series: Series[] }) {
  const n = props.labels.length;
  const totals = props.labels.map((_, i) => props.series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const max = niceMax(Math.max(0, ...totals));
  const plotHeight = HEIGHT - PAD_BOTTOM - 8;
  const slot = (WIDTH - PAD_LEFT) / Math.max(1, n);
  return (
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={props.title} preserveAspectRatio="none">
        <Axes max={max} format={(v) => String(Math.round(v))} labels={props.labels} />
        {props.labels.map((label, i) => {
          let y = HEIGHT - PAD_BOTTOM;
          return (
            <g key={i}>
              <title>{`${label}: ${props.series.map((s) => `${s.label} ${s.values[i] ?? 0}`).join(", ")}`}</title>
              {props.series.map((s) => {
                const h = ((s.values[i] ?? 0) / max) * plotHeight;
                y -= h;
                return h > 0 ? <rect key={s.label} class={s.class} x={PAD_LEFT + i * slot + slot * 0.1} y={y} width={slot * 0.8} height={h} /> : null;
              })}
            </g>
          );
        })}
      </svg>
      <Legend series={props.series} />
    </figure>
  );
}

/** A ratio (0–1) per bucket as a line with dots; buckets with no data (null) break the line. */
export function RateLine(props: { title: string; labels: string[]; values: (number | null)[]; class: string }) {
  const n = props.labels.length;
  const plotHeight = HEIGHT - PAD_BOTTOM - 8;
  const slot = (WIDTH - PAD_LEFT) / Math.max(1, n);
  const point = (v: number, i: number) => [PAD_LEFT + (i + 0.5) * slot, HEIGHT - PAD_BOTTOM - v * plotHeight] as const;
  const segments: string[] = [];
  let current = "";
  props.values.forEach((v, i) => {
    if (v === null) {
      if (current) segments.push(current);
      current = "";
      return;
    }
    const [x, y] = point(v, i);
    current += `${current ? "L" : "M"}${x.toFixed(1)},${y.toFixed(1)}`;
  });
  if (current) segments.push(current);
  return (
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={props.title} preserveAspectRatio="none">
        <Axes max={1} format={(v) => `${Math.round(v * 100)}%`} labels={props.labels} />
        {segments.map((d, i) => (
          <path key={i} d={d} class={`line ${props.class}`} />
        ))}
        {props.values.map((v, i) => {
          if (v === null) return null;
          const [x, y] = point(v, i);
          return (
            <circle key={i} cx={x} cy={y} r={3} class={`dot ${props.class}`}>
              <title>{`${props.labels[i]}: ${(v * 100).toFixed(1)}%`}</title>
            </circle>
          );
        })}
      </svg>
    </figure>
  );
}
