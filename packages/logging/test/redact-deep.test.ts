import t from 'tap'
import { Writable } from 'node:stream'
import { createLogger, REDACTED_PATHS, redactDeep } from '../src/index.ts'

/** What reached the log, without the time, pid and host (they may contain any digits). */
function logged(write: (log: ReturnType<typeof createLogger>) => void): string {
  const lines: string[] = []
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk))
      done()
    },
  })
  write(createLogger({ service: 'test', level: 'debug', destination }))
  return lines.map(line => {
    const { time: _time, pid: _pid, hostname: _hostname, ...content } = JSON.parse(line) as Record<string, unknown>
    return JSON.stringify(content)
  }).join('\n')
}

t.test('every listed path is censored at the top level, one and two levels down', async t => {
  for (const path of REDACTED_PATHS) {
    const keys = path.split('.')
    // Build { a: { b: { <key>: 'SECRET-VALUE' } } } for "*.*.<key>", and so on.
    let value: Record<string, unknown> = { [keys.at(-1)!]: 'SECRET-VALUE' }
    for (const key of keys.slice(0, -1).reverse()) value = { [key === '*' ? 'x' : key]: value }
    const out = logged(log => log.info(value, 'entry'))
    t.notOk(out.includes('SECRET-VALUE'), path)
  }
})

t.test('sensitive keys are censored at any depth, inside arrays, and whatever their case', async t => {
  const out = logged(log => {
    log.info({ a: { b: { c: { heartRate: 171, d: { fullName: '钱七', e: [{ lat: 31.98765 }] } } } } }, 'deep')
    log.info({ resident: { contacts: [{ fullName: '孙八', phone: '13900000002' }] } }, 'contacts')
    log.warn({ Phone: '13900000003', MOBILE: '13900000004', residentName: '周九', email: 'x@example.org', notes: '胸口闷' }, 'variants')
    log.debug({ batch: [[{ vitals: { spo2: 83.25 } }]] }, 'nested arrays')
  })
  for (const secret of ['171', '钱七', '31.98765', '孙八', '13900000002', '13900000003', '13900000004', '周九', 'x@example.org', '胸口闷', '83.25']) {
    t.notOk(out.includes(secret), `${secret} is not logged`)
  }
  t.match(out, /"deep"/)
  t.match(out, /"nested arrays"/, 'debug lines go through the same censoring')
})

t.test('ids, reasons and errors are kept', async t => {
  const out = logged(log => log.error({ deviceId: 'W00000001', alarmId: 'a-1', err: new Error('connection refused'), count: 3 }, 'delivery failed'))
  for (const kept of ['W00000001', 'a-1', 'connection refused', '"count":3', 'delivery failed']) t.ok(out.includes(kept), kept)
})

t.test('redactDeep leaves non-plain objects to their serializers and stops at a depth', async t => {
  const date = new Date('2026-01-01T00:00:00Z')
  const error = new Error('x')
  const out = redactDeep({ date, error, n: null, list: [1, 'a'] }) as Record<string, unknown>
  t.equal(out.date, date)
  t.equal(out.error, error)
  t.same(out.list, [1, 'a'])
  let deep: Record<string, unknown> = { phone: '1' }
  for (let i = 0; i < 30; i++) deep = { next: deep }
  t.notOk(JSON.stringify(redactDeep(deep)).includes('"phone":"1"'), 'a very deep object is cut, not leaked')
})
