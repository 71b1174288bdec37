import t from 'tap'
import { Writable } from 'node:stream'
import { createLogger } from '../src/index.ts'

function capture() {
  const lines: string[] = []
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk))
      done()
    },
  })
  return { lines, destination }
}

t.test('health and personal data never reach the log', async t => {
  const { lines, destination } = capture()
  const log = createLogger({ service: 'test', destination })
  log.info(
    {
      deviceId: 'W00000001',
      envelope: { payload: { vitals: { heartRate: 173 } } },
      resident: { fullName: '王桂英', phone: '13800138000', address: '武定路 12号', conditions: ['diabetes'] },
      vitals: { spo2: 88 },
      nested: { deeper: { glucose: 17.5 } },
    },
    'message accepted',
  )
  // The time stamp and pid differ every run and may contain any digits ("88"): only the logged content counts.
  const out = lines.map(line => {
    const { time: _time, pid: _pid, hostname: _hostname, ...content } = JSON.parse(line) as Record<string, unknown>
    return JSON.stringify(content)
  }).join('\n')
  t.match(out, /W00000001/, 'ids are kept')
  t.match(out, /message accepted/)
  for (const secret of ['173', '王桂英', '13800138000', '武定路', 'diabetes', '88', '17.5']) {
    t.notOk(out.includes(secret), `${secret} is not logged`)
  }
  t.match(out, /\[redacted\]/)
})
