// Hand-made SVG charts: vitals as an average line inside its min–max band, and plain bar charts.
// A chart with no points says so instead of drawing an empty frame.
import type { Point, Vitals } from '../api/types.ts'
import { useI18n } from '../i18n/i18n.tsx'

type Series = { key: string; label: string; points: Point[]; color: string }

const W = 640
const H = 190
const PAD = { left: 44, right: 12, top: 12, bottom: 26 }

function niceTicks(min: number, max: number, count = 4): number[] {
  const span = max - min
  const raw = span / count
  const mag = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => span / s <= count) ?? 10 * mag
  const ticks: number[] = []
  for (let v = Math.ceil(min / step) * step; v <= max + 1e-9; v += step) ticks.push(Number(v.toFixed(6)))
  return ticks
}

function segments(points: Point[], gapMs: number): Point[][] {
  const out: Point[][] = []
  let current: Point[] = []
  let prev: number | null = null
  for (const p of points) {
    const t = Date.parse(p.at)
    if (prev !== null && t - prev > gapMs && current.length > 0) {
      out.push(current)
      current = []
    }
    current.push(p)
    prev = t
  }
  if (current.length > 0) out.push(current)
  return out
}

export function LineChart({ title, unit, series, bucketSeconds, fromMs, toMs, digits = 0, testid }: {
  title: string
  unit: string
  series: Series[]
  bucketSeconds: number
  fromMs: number
  toMs: number
  digits?: number
  testid?: string
}) {
  const tr = useI18n()
  const all = series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.avg))
  const latest = series.map((s) => ({ s, p: s.points[s.points.length - 1] })).filter((x) => x.p !== undefined)
  const caption = (
    <figcaption class="chart-title">
      <span>{title}</span>
      <span class="chart-unit">{unit}</span>
      {latest.length > 0 && (
        <span class="chart-latest">
          {tr.t('chart.latest', { v: latest.map((x) => x.p!.avg.toFixed(digits)).join('/') })}
        </span>
      )}
    </figcaption>
  )
  if (all.length === 0) {
    return (
      <figure class="chart chart-empty" data-testid={testid} data-empty="true">
        {caption}
        <div class="chart-nodata">{tr.t('app.noData')}</div>
      </figure>
    )
  }
  let lo = Math.min(...all.map((p) => Math.min(p.min, p.avg)))
  let hi = Math.max(...all.map((p) => Math.max(p.max, p.avg)))
  if (hi - lo < 1e-6) {
    lo -= 1
    hi += 1
  }
  const pad = (hi - lo) * 0.08
  lo -= pad
  hi += pad
  const firstAt = Math.min(fromMs, ...all.map((p) => Date.parse(p.at)))
  const lastAt = Math.max(toMs, ...all.map((p) => Date.parse(p.at)))
  const x = (t: number): number => PAD.left + ((t - firstAt) / Math.max(1, lastAt - firstAt)) * (W - PAD.left - PAD.right)
  const y = (v: number): number => PAD.top + (1 - (v - lo) / (hi - lo)) * (H - PAD.top - PAD.bottom)
  const yTicks = niceTicks(lo, hi)
  const hourMs = 3_600_000
  const xTicks: number[] = []
  const stepH = lastAt - firstAt > 36 * hourMs ? 12 : lastAt - firstAt > 8 * hourMs ? 4 : 1
  for (let t = Math.ceil(firstAt / (stepH * hourMs)) * stepH * hourMs; t <= lastAt; t += stepH * hourMs) xTicks.push(t)
  const gapMs = Math.max(bucketSeconds, 60) * 1000 * 2.5

  return (
    <figure class="chart" data-testid={testid} data-empty="false">
      {caption}
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${title} (${unit})`} preserveAspectRatio="xMidYMid meet">
        {yTicks.map((v) => (
          <g key={`y${v}`}>
            <line class="grid" x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} />
            <text class="tick" x={PAD.left - 6} y={y(v) + 4} text-anchor="end">{v}</text>
          </g>
        ))}
        {xTicks.map((t) => (
          <text key={`x${t}`} class="tick" x={x(t)} y={H - 8} text-anchor="middle">
            {new Date(t).toLocaleTimeString(tr.lang, { hour: '2-digit', minute: '2-digit', hour12: false })}
          </text>
        ))}
        {series.map((s) =>
          segments(s.points, gapMs).map((seg, i) => {
            const band = [...seg.map((p) => `${x(Date.parse(p.at))},${y(p.max)}`), ...[...seg].reverse().map((p) => `${x(Date.parse(p.at))},${y(p.min)}`)].join(' ')
            const line = seg.map((p) => `${x(Date.parse(p.at))},${y(p.avg)}`).join(' ')
            return (
              <g key={`${s.key}-${i}`}>
                {seg.length > 1 ? <polygon points={band} fill={s.color} fill-opacity="0.15" /> : null}
                {seg.length > 1 ? (
                  <polyline points={line} fill="none" stroke={s.color} stroke-width="2" stroke-linejoin="round" />
                ) : (
                  <g>
                    <line x1={x(Date.parse(seg[0]!.at))} x2={x(Date.parse(seg[0]!.at))} y1={y(seg[0]!.min)} y2={y(seg[0]!.max)} stroke={s.color} stroke-opacity="0.4" stroke-width="4" />
                    <circle cx={x(Date.parse(seg[0]!.at))} cy={y(seg[0]!.avg)} r="3" fill={s.color} />
                  </g>
                )}
              </g>
            )
          }),
        )}
      </svg>
      {series.length > 1 && (
        <div class="chart-legend">
          {series.map((s) => (
            <span key={s.key}>
              <i style={{ background: s.color }} /> {s.label}
            </span>
          ))}
          <span class="muted">{tr.t('chart.band')}</span>
        </div>
      )}
    </figure>
  )
}

/** Heart rate, SpO2, blood pressure and temperature over the last `hours`. */
export function VitalsCharts({ vitals, hours = 24 }: { vitals: Vitals | null; hours?: number }) {
  const tr = useI18n()
  const toMs = Date.now()
  const fromMs = toMs - hours * 3_600_000
  const s = vitals?.series
  const bucket = vitals?.bucketSeconds ?? 300
  const common = { bucketSeconds: bucket, fromMs, toMs }
  return (
    <div class="charts" data-testid="vitals-charts">
      <LineChart {...common} testid="chart-heart-rate" title={tr.t('chart.heartRate')} unit="bpm" series={[{ key: 'hr', label: tr.t('chart.heartRate'), points: s?.heartRate ?? [], color: '#c0392b' }]} />
      <LineChart {...common} testid="chart-spo2" title={tr.t('chart.spo2')} unit="%" series={[{ key: 'spo2', label: tr.t('chart.spo2'), points: s?.spo2 ?? [], color: '#1f6fb2' }]} />
      <LineChart
        {...common}
        testid="chart-blood-pressure"
        title={tr.t('chart.bloodPressure')}
        unit="mmHg"
        series={[
          { key: 'sys', label: tr.t('chart.systolic'), points: s?.systolic ?? [], color: '#8e44ad' },
          { key: 'dia', label: tr.t('chart.diastolic'), points: s?.diastolic ?? [], color: '#16a085' },
        ]}
      />
      <LineChart {...common} testid="chart-temperature" digits={1} title={tr.t('chart.temperature')} unit="°C" series={[{ key: 't', label: tr.t('chart.temperature'), points: s?.temperature ?? [], color: '#d35400' }]} />
    </div>
  )
}

export function HBarChart({ items, testid, title }: { items: { label: string; value: number }[]; testid?: string; title: string }) {
  const tr = useI18n()
  if (items.length === 0) {
    return (
      <figure class="chart chart-empty" data-testid={testid} data-empty="true">
        <figcaption class="chart-title">{title}</figcaption>
        <div class="chart-nodata">{tr.t('app.noData')}</div>
      </figure>
    )
  }
  const max = Math.max(1, ...items.map((i) => i.value))
  const rowH = 26
  const labelW = 150
  const width = 640
  const height = items.length * rowH + 8
  return (
    <figure class="chart" data-testid={testid} data-empty="false">
      <figcaption class="chart-title">{title}</figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={title}>
        {items.map((item, i) => {
          const w = ((width - labelW - 60) * item.value) / max
          return (
            <g key={item.label} transform={`translate(0 ${i * rowH + 4})`}>
              <text class="bar-label" x={labelW - 8} y={rowH / 2 + 1} text-anchor="end" dominant-baseline="middle">{item.label}</text>
              <rect class="bar" x={labelW} y={3} width={Math.max(1, w)} height={rowH - 8} rx="2" />
              <text class="bar-value" x={labelW + w + 6} y={rowH / 2 + 1} dominant-baseline="middle">{item.value}</text>
            </g>
          )
        })}
      </svg>
    </figure>
  )
}

export function ColumnChart({ items, testid, title }: { items: { label: string; value: number }[]; testid?: string; title: string }) {
  const tr = useI18n()
  const total = items.reduce((a, i) => a + i.value, 0)
  if (items.length === 0 || total === 0) {
    return (
      <figure class="chart chart-empty" data-testid={testid} data-empty="true">
        <figcaption class="chart-title">{title}</figcaption>
        <div class="chart-nodata">{tr.t('app.noData')}</div>
      </figure>
    )
  }
  const width = 640
  const height = 200
  const pad = { left: 30, right: 6, top: 16, bottom: 22 }
  const max = Math.max(1, ...items.map((i) => i.value))
  const colW = (width - pad.left - pad.right) / items.length
  const plotH = height - pad.top - pad.bottom
  return (
    <figure class="chart" data-testid={testid} data-empty="false">
      <figcaption class="chart-title">{title}</figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={title}>
        <line class="grid" x1={pad.left} x2={width - pad.right} y1={pad.top + plotH} y2={pad.top + plotH} />
        <text class="tick" x={pad.left - 4} y={pad.top + 4} text-anchor="end">{max}</text>
        <text class="tick" x={pad.left - 4} y={pad.top + plotH} text-anchor="end">0</text>
        {items.map((item, i) => {
          const h = (plotH * item.value) / max
          const cx = pad.left + i * colW
          return (
            <g key={item.label}>
              <rect class="bar" x={cx + 2} y={pad.top + plotH - h} width={Math.max(1, colW - 4)} height={h} rx="1">
                <title>{`${item.label}: ${item.value}`}</title>
              </rect>
              {item.value > 0 && <text class="bar-value small" x={cx + colW / 2} y={pad.top + plotH - h - 3} text-anchor="middle">{item.value}</text>}
              {i % 2 === 0 && <text class="tick" x={cx + colW / 2} y={height - 6} text-anchor="middle">{item.label}</text>}
            </g>
          )
        })}
      </svg>
    </figure>
  )
}
