import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { testBrowser, type Page } from '@anxin/testing/browser'
import { pipeline } from './pipeline.ts'
import { DESK_PASSWORD, monitoringCentre } from './console-desk.ts'

const ARTIFACTS = join(import.meta.dirname, '..', '..', '.run', 'artifacts', 'console')

async function signIn(page: Page, url: string, username: string): Promise<void> {
  await page.goto(url)
  await page.getByTestId('login-username').fill(username)
  await page.getByTestId('login-password').fill(DESK_PASSWORD)
  await page.getByTestId('login-submit').click()
}

t.test('in real Chromium: an operator sees an SOS within a second, acknowledges and dispatches; the carer accepts and arrives on her phone; the operator resolves', async t => {
  mkdirSync(ARTIFACTS, { recursive: true })
  const p = await pipeline(t, { devices: 2 })
  const pool = p.db.pool
  const device = p.devices[0]!
  await pool.query(`UPDATE residents SET full_name = '王桂英', address = '江宁路 88 弄 3 号 502 室' WHERE id = $1`, [device.residentId])
  const { consoleUrl } = await monitoringCentre(p)

  const browser = await testBrowser(t)
  const desk = await (await browser.desktop()).newPage()
  const pageErrors: string[] = []
  desk.on('pageerror', e => pageErrors.push(String(e)))
  await signIn(desk, consoleUrl, 'op-1')
  await desk.getByTestId('alarm-queue').waitFor()
  await desk.locator('[data-testid="feed-status"][data-state="live"]').waitFor()
  t.equal(await desk.getByTestId('alarm-row').count(), 0, 'the queue is empty')

  // A first SOS from a neighbour's pendant: every consumer group has joined and every connection is warm, as in a
  // centre that has been running for a while. The one-second promise is about the SOS after it.
  const neighbour = await p.device(p.devices[1]!)
  void neighbour.pressSos()
  await desk.getByTestId('alarm-row').first().waitFor({ timeout: 15000 })
  const warmUpId = await desk.getByTestId('alarm-row').first().getAttribute('data-alarm-id')

  const watch = await p.device(device)
  const pressed = Date.now()
  void watch.pressSos()
  const row = desk.locator(`[data-testid="alarm-row"]:not([data-alarm-id="${warmUpId}"])`)
  await row.waitFor({ timeout: 5000 })
  const onScreenMs = Date.now() - pressed
  t.ok(onScreenMs < 1000, `the SOS is in the operator's queue within one second of the press (${onScreenMs} ms)`)
  t.equal(await row.getAttribute('data-type'), 'sos')
  t.equal(await desk.getByTestId('new-critical-banner').getAttribute('data-alarm-id'), await row.getAttribute('data-alarm-id'), 'announced as a new critical alarm')
  await desk.screenshot({ path: join(ARTIFACTS, '01-queue-new-sos.png') })

  await row.click()
  await desk.getByTestId('alarm-detail').waitFor()
  await desk.getByTestId('resident-card').getByText('王桂英').waitFor()
  await desk.locator('[data-testid="action-acknowledge"]:enabled').waitFor()
  await desk.screenshot({ path: join(ARTIFACTS, '02-alarm-detail.png') })
  await desk.getByTestId('action-acknowledge').click()
  await desk.locator('[data-testid="alarm-state"][data-state="acknowledged"]').waitFor()
  t.pass('the operator acknowledges')

  await desk.getByTestId('action-dispatch').click()
  await desk.locator('[data-testid="responder-option"][data-staff-id="carer-1"]').click()
  await desk.getByTestId('dispatch-confirm').click()
  await desk.locator('[data-testid="alarm-tasks"] [data-state="offered"]').waitFor({ timeout: 10000 })
  t.pass('and dispatches the carer: a visit is offered to her')
  await desk.screenshot({ path: join(ARTIFACTS, '03-dispatched.png') })

  const phone = await (await browser.phone()).newPage()
  phone.on('pageerror', e => pageErrors.push(String(e)))
  await signIn(phone, consoleUrl, 'carer-1')
  const card = phone.getByTestId('task-card').first()
  await card.waitFor({ timeout: 10000 })
  await phone.screenshot({ path: join(ARTIFACTS, '04-phone-offer.png') })
  await phone.getByTestId('task-accept').click()
  await phone.locator('[data-testid="task-card"][data-state="accepted"]').waitFor({ timeout: 10000 })
  await desk.locator('[data-testid="alarm-state"][data-state="dispatched"]').waitFor({ timeout: 10000 })
  t.pass('the carer accepts on her phone; the operator\'s screen shows her on the way without a reload')
  await phone.getByTestId('task-arrive').click()
  await phone.locator('[data-testid="task-card"][data-state="arrived"]').waitFor({ timeout: 10000 })
  await phone.screenshot({ path: join(ARTIFACTS, '05-phone-arrived.png') })
  await desk.locator('[data-testid="alarm-state"][data-state="on_scene"]').waitFor({ timeout: 10000 })
  t.pass('she reports arrival; the operator sees her on scene')

  await desk.getByTestId('action-resolve').click()
  await desk.getByTestId('resolve-outcome').selectOption('visited_fine')
  await desk.getByTestId('resolve-confirm').click()
  await desk.locator('[data-testid="alarm-state"][data-state="resolved"]').waitFor({ timeout: 10000 })
  t.pass('the operator resolves the alarm with its outcome')
  await desk.screenshot({ path: join(ARTIFACTS, '06-resolved.png'), fullPage: false })

  // The timeline reloads a moment after a burst of feed events; each step appears in it (some folded away).
  for (const a of ['raise', 'acknowledge', 'dispatch', 'arrive', 'resolve']) {
    await desk.locator(`[data-testid="timeline-entry"][data-action="${a}"]`).first().waitFor({ state: 'attached', timeout: 10000 })
    t.pass(`the timeline shows ${a}`)
  }
  const resolvedId = await desk.getByTestId('alarm-detail').getAttribute('data-alarm-id')
  await desk.getByTestId('nav-queue').click()
  await desk.locator(`[data-testid="alarm-row"][data-alarm-id="${warmUpId}"]`).waitFor()
  t.equal(await desk.locator(`[data-testid="alarm-row"][data-alarm-id="${resolvedId}"]`).count(), 0, 'the resolved alarm has left the queue; the other one is still there')
  await desk.getByTestId('lang-en').click()
  await desk.getByTestId('nav-dashboard').click()
  await desk.getByTestId('service-tiles').waitFor()
  await desk.screenshot({ path: join(ARTIFACTS, '07-dashboard-en.png') })
  t.same(pageErrors, [], 'no script errors in either browser')
})
