/**
 * The benchmark report's chart as SVG (no dependency, opens in any browser and renders on GitHub): rates on a
 * log scale (the floors are ten times the pipeline), the CPU each part used while the platform held its rate,
 * and the SOS latencies against the 100 ms target. Pure: figures in, markup out.
 */

export type RateBar = { label: string; value: number; kind: 'floor' | 'ours' | 'peer' | 'published' }
export type CpuBar = { label: string; cores: number; peakRssMiB: number }
export type LatencyFigures = { p50: number; p99: number; max: number; targetP99: number; backgroundMsgsPerS: number }
export type ChartInput = { title: string; rates: RateBar[]; cpu: CpuBar[]; cpuCaption: string; sos: LatencyFigures | null }

const COLOURS = { floor: '#9aa5b1', ours: '#1f7a4d', peer: '#d97706', published: '#cbd2d9' } as const
const WIDTH = 920
const LABEL_W = 300
const BAR_W = 520
const ROW_H = 26

export function renderChart(input: ChartInput): string {
  const parts: string[] = []
  let y = 40
  parts.push(text(20, 26, input.title, 18, 'bold'))

  y = ratePanel(parts, input.rates, y + 10)
  y = cpuPanel(parts, input.cpu, input.cpuCaption, y + 30)
  if (input.sos) y = sosPanel(parts, input.sos, y + 30)

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y + 20}" viewBox="0 0 ${WIDTH} ${y + 20}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    ...parts,
    '</svg>',
  ].join('\n')
}

function ratePanel(parts: string[], bars: RateBar[], top: number): number {
  parts.push(text(20, top + 14, 'Messages per second (log scale)', 14, 'bold'))
  const max = Math.max(...bars.map(b => b.value), 10)
  const decades = Math.ceil(Math.log10(max))
  const x = (v: number) => LABEL_W + (Math.log10(Math.max(v, 100)) - 2) / (decades - 2) * BAR_W
  const gridTop = top + 24
  const gridBottom = gridTop + bars.length * ROW_H
  for (let d = 2; d <= decades; d++) {
    const gx = x(10 ** d)
    parts.push(`<line x1="${gx}" y1="${gridTop}" x2="${gx}" y2="${gridBottom}" stroke="#e4e7eb"/>`)
    parts.push(text(gx - 14, gridBottom + 14, formatRate(10 ** d), 11))
  }
  bars.forEach((bar, i) => {
    const by = gridTop + i * ROW_H
    parts.push(text(20, by + 17, bar.label, 12))
    const end = x(bar.value)
    parts.push(`<rect x="${LABEL_W}" y="${by + 5}" width="${Math.max(1, end - LABEL_W)}" height="${ROW_H - 10}" fill="${COLOURS[bar.kind]}"/>`)
    parts.push(text(end + 6, by + 17, `${bar.value.toLocaleString('en-US')}${bar.kind === 'published' ? ' (published, not measured here)' : ''}`, 12))
  })
  const legend = [['floor', 'part alone (floor)'], ['ours', 'Anxin end to end'], ['peer', 'peer, same load'], ['published', 'published figure']] as const
  legend.forEach(([kind, label], i) => {
    const lx = LABEL_W + i * 150
    parts.push(`<rect x="${lx}" y="${gridBottom + 24}" width="12" height="12" fill="${COLOURS[kind]}"/>`)
    parts.push(text(lx + 16, gridBottom + 34, label, 11))
  })
  return gridBottom + 40
}

function cpuPanel(parts: string[], bars: CpuBar[], caption: string, top: number): number {
  parts.push(text(20, top + 14, `CPU (cores) and peak memory per part: ${caption}`, 14, 'bold'))
  const gridTop = top + 24
  const maxCores = Math.max(1, ...bars.map(b => b.cores))
  bars.forEach((bar, i) => {
    const by = gridTop + i * ROW_H
    parts.push(text(20, by + 17, bar.label, 12))
    const w = (bar.cores / maxCores) * (BAR_W - 120)
    parts.push(`<rect x="${LABEL_W}" y="${by + 5}" width="${Math.max(1, w)}" height="${ROW_H - 10}" fill="${COLOURS.ours}"/>`)
    parts.push(text(LABEL_W + w + 6, by + 17, `${bar.cores.toFixed(2)} cores, ${Math.round(bar.peakRssMiB)} MiB`, 12))
  })
  return gridTop + bars.length * ROW_H
}

function sosPanel(parts: string[], sos: LatencyFigures, top: number): number {
  parts.push(text(20, top + 14, `SOS press to alarm on the console, ${sos.backgroundMsgsPerS.toLocaleString('en-US')} msg/s background (ms)`, 14, 'bold'))
  const gridTop = top + 24
  const scaleMax = Math.max(sos.max, sos.targetP99) * 1.1
  const x = (v: number) => LABEL_W + (v / scaleMax) * BAR_W
  const rows: Array<[string, number]> = [['p50', sos.p50], ['p99', sos.p99], ['max', sos.max]]
  rows.forEach(([label, value], i) => {
    const by = gridTop + i * ROW_H
    parts.push(text(20, by + 17, label, 12))
    const colour = label === 'p99' && value >= sos.targetP99 ? '#c81e1e' : COLOURS.ours
    parts.push(`<rect x="${LABEL_W}" y="${by + 5}" width="${Math.max(1, x(value) - LABEL_W)}" height="${ROW_H - 10}" fill="${colour}"/>`)
    parts.push(text(x(value) + 6, by + 17, `${value} ms`, 12))
  })
  const tx = x(sos.targetP99)
  const bottom = gridTop + rows.length * ROW_H
  parts.push(`<line x1="${tx}" y1="${gridTop}" x2="${tx}" y2="${bottom}" stroke="#c81e1e" stroke-dasharray="4 3"/>`)
  parts.push(text(tx + 4, bottom + 14, `p99 target ${sos.targetP99} ms`, 11))
  return bottom + 20
}

function formatRate(v: number): string {
  return v >= 1_000_000 ? `${v / 1_000_000}M` : v >= 1000 ? `${v / 1000}k` : String(v)
}

function text(x: number, y: number, content: string, size: number, weight = 'normal'): string {
  return `<text x="${x.toFixed(1)}" y="${y}" font-size="${size}" font-weight="${weight}" fill="#1f2933">${escapeXml(content)}</text>`
}

function escapeXml(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;')
}
