import { spawn } from 'node:child_process'
import t from 'tap'
import { parseRssKiB, parseStat } from '../usage/proc-stat.ts'
import { trackUsage } from '../usage/process-usage.ts'

t.test('a /proc stat line is read after the command name, however odd the name', async t => {
  // Captured from a real process, with spaces and a parenthesis in the name; utime 1234, stime 66 ticks.
  const line = '4242 (node (worker) x) S 4200 4242 4242 0 -1 4194560 1000 0 0 0 1234 66 0 0 20 0 11 0 9000 1000000 5000 18446744073709551615'
  t.same(parseStat(line), { ppid: 4200, cpuMs: 13000 })
  t.equal(parseRssKiB('Name:\tnode\nVmPeak:\t 999 kB\nVmRSS:\t  52344 kB\nRssAnon:\t 1 kB\n'), 52344)
  t.equal(parseRssKiB('Name:\tzombie\n'), 0)
})

t.test('a busy process is measured busy and an idle one idle, each on its own', async t => {
  const busy = spawn(process.execPath, ['-e', 'const end = Date.now() + 1500; while (Date.now() < end) {}'])
  const idle = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 1500)'])
  t.teardown(() => {
    busy.kill()
    idle.kill()
  })
  const usage = trackUsage([
    { name: 'busy', rootPid: () => busy.pid ?? null },
    { name: 'idle', rootPid: () => idle.pid ?? null },
  ], 100)
  await new Promise(resolve => setTimeout(resolve, 1200))
  const window = usage.stop()
  const [b, i] = window.parts
  t.ok(b!.cpuCores > 0.5, `busy loop used ${b!.cpuCores} cores`)
  t.ok(i!.cpuCores < 0.2, `idle timer used ${i!.cpuCores} cores`)
  t.ok(b!.peakRssMiB > 10, `resident memory ${b!.peakRssMiB} MiB`)
})
