import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import Fastify from 'fastify'
import { testBrowser } from '@anxin/testing/browser'
import { consoleApp, ACCOUNTS, PASSWORD } from './console-app.ts'

const WEB_ROOT = fileURLToPath(new URL('../../web/dist', import.meta.url))
const ARTIFACTS = join(import.meta.dirname, '..', '..', '..', '..', '.run', 'artifacts', 'console')

const alarm = (kind: string, subject: string, severity: 'critical' | 'warning', detail: string) => ({
  id: `${kind}:${subject}`, kind, subject, severity, detail, raisedAt: new Date().toISOString(), clearedAt: null,
})

t.test('in real Chromium: the desk shows the platform\'s system alarms as a red banner, in Chinese or English, and hides it when all is well', async t => {
  t.ok(existsSync(join(WEB_ROOT, 'index.html')), 'the web UI is built (pnpm build:web)')
  let mode: 'answer' | 'hang' = 'answer'
  let active: unknown[] = [
    alarm('service_unresponsive', 'alert', 'critical', 'no answer from /health/live 3 times in a row (timeout)'),
    alarm('disk_low', 'postgres', 'critical', '/watch/postgres: 812 MiB free (3.2 %) of 25600 MiB; low below 2048 MiB or 10 %'),
  ]
  const hung = new Set<() => void>()
  const watchdog = Fastify()
  watchdog.get('/system-alarms', async () => {
    if (mode === 'hang') await new Promise<void>(resolve => hung.add(resolve))
    return { active, recent: [], checkedAt: new Date().toISOString() }
  })
  t.teardown(async () => {
    for (const resolve of hung) resolve()
    await watchdog.close()
  })
  await watchdog.listen({ host: '127.0.0.1', port: 0 })
  const c = await consoleApp(t, { env: { WATCHDOG_URL: `http://127.0.0.1:${(watchdog.server.address() as { port: number }).port}`, WEB_ROOT } })
  await c.app.listen({ host: '127.0.0.1', port: 0 })
  const consoleUrl = `http://127.0.0.1:${(c.app.server.address() as { port: number }).port}/`

  const browser = await testBrowser(t)
  const page = await (await browser.desktop()).newPage()
  const pageErrors: string[] = []
  page.on('pageerror', e => pageErrors.push(String(e)))
  await page.goto(consoleUrl)
  await page.getByTestId('login-username').fill(ACCOUNTS.operator.staffId)
  await page.getByTestId('login-password').fill(PASSWORD)
  await page.getByTestId('login-submit').click()
  await page.getByTestId('alarm-queue').waitFor()

  const banner = page.getByTestId('system-alarms')
  await banner.waitFor({ timeout: 10000 })
  t.match(await banner.innerText(), /系统告警：[\s\S]*告警服务无响应[\s\S]*数据库磁盘空间即将用尽/, 'in Chinese by default, naming what is wrong')
  t.same(await page.getByTestId('system-alarm').evaluateAll(els => els.map(e => e.getAttribute('data-kind'))), ['service_unresponsive', 'disk_low'])
  const colour = await banner.evaluate(e => getComputedStyle(e).backgroundColor)
  t.equal(colour, 'rgb(180, 35, 24)', 'red')
  mkdirSync(ARTIFACTS, { recursive: true })
  await page.screenshot({ path: join(ARTIFACTS, 'system-alarm-banner.png') })

  await page.getByTestId('lang-en').click()
  t.match(await banner.innerText(), /System alarm:[\s\S]*Alert service is not responding[\s\S]*Disk almost full: Database/, 'and in English')
  await page.screenshot({ path: join(ARTIFACTS, 'system-alarm-banner-en.png') })
  await page.getByTestId('lang-zh').click()

  // All well: the banner goes away at the next poll.
  active = []
  await banner.waitFor({ state: 'detached', timeout: 10000 })
  t.pass('hidden when there is no system alarm')

  // The watchdog itself silent: that is an alarm, never "all fine".
  mode = 'hang'
  await banner.waitFor({ timeout: 15000 })
  t.match(await banner.innerText(), /平台监控服务无响应/, 'an unreachable watchdog is shown as a system alarm')
  t.same(pageErrors, [], 'no script errors')
})
