import t from 'tap'
import { csvCell, serviceFiguresCsv } from '../../src/domain/service-figures-csv.ts'
import type { ServiceFigures } from '../../src/domain/service-figures.ts'

const FIGURES: ServiceFigures = {
  from: '2026-03-01T16:00:00.000Z', to: '2026-03-02T16:00:00.000Z', now: '2026-03-02T16:00:00.000Z', timeZone: 'Asia/Shanghai',
  alarms: 40,
  acknowledgedWithin60s: 0.97496, // just below the 97.5 % standard: must not print as 97.50
  acknowledgedWithin180s: 1,
  ackSeconds: { median: 21.5, p90: 58.123 },
  arrivalSeconds: { median: null, p90: null },
  byType: [{ type: 'sos', count: 30 }, { type: 'device_offline', count: 9 }, { type: '=HYPERLINK("http://x","click")', count: 1 }],
  byHour: Array.from({ length: 24 }, (_, hour) => ({ hour, count: hour === 9 ? 40 : 0 })),
  openTasks: 2,
  offlineDevices: 9,
}

/** The CSV as rows of raw fields (enough of RFC 4180 to read back what the writer produces). */
function parse(csv: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < csv.length; i++) {
    const c = csv[i]!
    if (quoted) {
      if (c === '"' && csv[i + 1] === '"') { field += '"'; i++ } else if (c === '"') quoted = false
      else field += c
    } else if (c === '"') quoted = true
    else if (c === ',') { row.push(field); field = '' } else if (c === '\r' && csv[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++ } else field += c
  }
  return rows
}

t.test('UTF-8 with a BOM, CRLF line ends, Chinese labels by default', async t => {
  const csv = serviceFiguresCsv(FIGURES)
  t.ok(csv.startsWith('\uFEFF'), 'byte-order mark first')
  t.same([...Buffer.from(csv, 'utf8').subarray(0, 3)], [0xef, 0xbb, 0xbf], 'encoded as UTF-8 it starts EF BB BF')
  t.ok(csv.endsWith('\r\n'))
  t.notOk(/[^\r]\n/.test(csv), 'every line ends CRLF')
  t.equal(csv, serviceFiguresCsv(FIGURES, 'zh-CN'))
  const rows = parse(csv.slice(1))
  t.same(rows.slice(0, 5), [
    ['报告', '服务水平报告'],
    ['开始时间', '2026-03-01T16:00:00.000Z'],
    ['结束时间', '2026-03-02T16:00:00.000Z'],
    ['统计时间', '2026-03-02T16:00:00.000Z'],
    ['时区', 'Asia/Shanghai'],
  ])
  const table = Object.fromEntries(rows.filter(r => r.length === 2))
  t.equal(table['报警总数'], '40')
  t.equal(table['60秒内确认率 (%)'], '97.49', 'rounded down, so a miss never reads as meeting 97.5 %')
  t.equal(table['180秒内确认率 (%)'], '100.00')
  t.equal(table['确认用时中位数 (秒)'], '21.5')
  t.equal(table['确认用时第90百分位 (秒)'], '58.123')
  t.equal(table['到场用时中位数 (秒)'], '', 'no data is an empty cell, not 0')
  t.equal(table['未完成上门任务'], '2')
  t.equal(table['离线设备'], '9')
  t.equal(table['一键报警'], '30', 'alarm types translated')
  t.equal(table['设备离线'], '9')
  t.ok(rows.some(r => r[0] === '报警类型' && r[1] === '数量'))
  t.ok(rows.some(r => r[0] === '时段 (当地时间) Asia/Shanghai' && r[1] === '数量'))
  t.ok(rows.some(r => r[0] === '09:00–09:59' && r[1] === '40'))
  t.equal(rows.filter(r => /^\d\d:00–\d\d:59$/.test(r[0]!)).length, 24, 'all 24 hours')
})

t.test('English labels', async t => {
  const rows = parse(serviceFiguresCsv(FIGURES, 'en').slice(1))
  const table = Object.fromEntries(rows.filter(r => r.length === 2))
  t.equal(table['Report'], 'Service levels')
  t.equal(table['Alarms'], '40')
  t.equal(table['Acknowledged within 60 s (%)'], '97.49')
  t.equal(table['Time to arrival, 90th percentile (s)'], '')
  t.equal(table['SOS'], '30')
  t.equal(table['Device offline'], '9')
  t.notOk(serviceFiguresCsv(FIGURES, 'en').match(/[\u4e00-\u9fff]/), 'no Chinese left')
})

t.test('shares print exactly at the boundary despite float noise', async t => {
  const at = (share: number) => Object.fromEntries(parse(serviceFiguresCsv({ ...FIGURES, acknowledgedWithin60s: share }, 'en').slice(1)).filter(r => r.length === 2))['Acknowledged within 60 s (%)']
  t.equal(at(39 / 40), '97.50')
  t.equal(at(0.975), '97.50')
  t.equal(at(0.985), '98.50')
  t.equal(at(197 / 200), '98.50')
  t.equal(at(0.99), '99.00')
  t.equal(at(0), '0.00')
  t.equal(at(1 / 3), '33.33')
  t.equal(at(2 / 3), '66.66', 'down, not to nearest')
})

t.test('RFC 4180 quoting', async t => {
  t.equal(csvCell('plain'), 'plain')
  t.equal(csvCell('a,b'), '"a,b"')
  t.equal(csvCell('say "hi"'), '"say ""hi"""')
  t.equal(csvCell('two\nlines'), '"two\nlines"')
  t.equal(csvCell('cr\rlf'), '"cr\rlf"')
  t.equal(csvCell(12.5), '12.5')
  t.equal(csvCell(null), '')
  const odd = serviceFiguresCsv({ ...FIGURES, byType: [{ type: 'weird, "type"\nname', count: 1 }] }, 'en')
  t.ok(parse(odd.slice(1)).some(r => r[0] === 'weird, "type"\nname' && r[1] === '1'), 'reads back as one field')
})

t.test('formula injection: a cell starting with = + - @ (tab, CR) gets a leading apostrophe', async t => {
  t.equal(csvCell('=1+1'), "'=1+1")
  t.equal(csvCell('+86 138'), "'+86 138")
  t.equal(csvCell('-2'), "'-2")
  t.equal(csvCell('@SUM(A1)'), "'@SUM(A1)")
  t.equal(csvCell('\t=1'), "'\t=1")
  t.equal(csvCell('\r=1'), '"\'\r=1"')
  t.equal(csvCell('a=1'), 'a=1', 'only a leading character matters')
  t.equal(csvCell('=cmd|"/c calc"!A0'), '"\'=cmd|""/c calc""!A0"', 'guarded, then quoted')
  const rows = parse(serviceFiguresCsv(FIGURES).slice(1))
  t.ok(rows.some(r => r[0] === '\'=HYPERLINK("http://x","click")' && r[1] === '1'), 'an alarm type from the database is guarded')
  t.notOk(rows.some(r => r.some(cell => /^[=+\-@]/.test(cell))), 'no cell of the report starts a formula')
})
