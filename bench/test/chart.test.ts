import t from 'tap'
import { renderChart } from '../report/chart.ts'

const input = {
  title: 'Anxin benchmarks',
  rates: [
    { label: 'Mosquitto alone', value: 72000, kind: 'floor' as const },
    { label: 'Anxin end to end', value: 9000, kind: 'ours' as const },
    { label: 'Node-RED <peer> & co', value: 3000, kind: 'peer' as const },
  ],
  cpu: [{ label: 'ingestion', cores: 0.4, peakRssMiB: 300 }, { label: 'kafka', cores: 0.2, peakRssMiB: 500 }],
  cpuCaption: 'holding 9000 msg/s for 60 s',
  sos: { p50: 30, p99: 120, max: 180, targetP99: 100, backgroundMsgsPerS: 5000 },
}

function barWidth(svg: string, index: number): number {
  return Number([...svg.matchAll(/<rect x="300" y="[\d.]+" width="([\d.]+)"/g)][index]![1])
}

t.test('every figure and label is in the chart, escaped, with a missed target in red', async t => {
  const svg = renderChart(input)
  t.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/)
  t.match(svg, /<\/svg>$/)
  for (const text of ['Mosquitto alone', '72,000', '9,000', 'Node-RED &lt;peer&gt; &amp; co', '0.40 cores, 300 MiB', '120 ms', 'p99 target 100 ms']) t.ok(svg.includes(text), text)
  t.notOk(svg.includes('<peer>'), 'labels are escaped')
  t.ok(svg.includes('fill="#c81e1e"/>'), 'a p99 over target is drawn red')
})

t.test('bars grow with the figure (log scale for rates)', async t => {
  const svg = renderChart(input)
  t.ok(barWidth(svg, 0) > barWidth(svg, 1) && barWidth(svg, 1) > barWidth(svg, 2), 'rate bars are ordered by value')
  const met = renderChart({ ...input, sos: { ...input.sos, p99: 80 } })
  t.notOk(met.includes('fill="#c81e1e"/>'), 'a p99 under target is not red')
})
