import { mkdir } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import t, { type Test } from 'tap'
import { waitUntil } from '@anxin/testing'
import { testBrowser, type Locator, type Page } from '@anxin/testing/browser'
import { smtpSink } from '../../services/dispatch/test/fixtures/providers.ts'
import { pipeline } from './pipeline.ts'

// Screenshots are the test's artifacts: someone looks at them (.run/ is git-ignored).
const ARTIFACTS = fileURLToPath(new URL('../../.run/artifacts/responder/', import.meta.url))

/** What a carer on a phone depends on: nothing wider than the screen, and controls a thumb can hit (44 px, Apple's minimum). */
async function fitsThePhone(t: Test, page: Page, what: string): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
  t.equal(overflow, 0, `${what}: nothing wider than the screen`)
  for (const control of await page.locator('button, a, select, textarea').all()) {
    const box = await control.boundingBox()
    const name = await control.evaluate(el => (el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement ? el.name : el.textContent?.trim()))
    t.ok(box && box.height >= 44 && box.width >= 44, `${what}: "${name}" is big enough to tap (${box?.width}x${box?.height})`)
  }
}

/** Presses a button that submits a form and waits for the page it leads to. */
async function press(page: Page, button: Locator): Promise<string> {
  await Promise.all([page.waitForEvent('load'), button.click()])
  return page.url()
}

t.test('a carer on a phone opens the e-mailed link, acknowledges, takes the visit through to its outcome, and can read it all in English', async t => {
  const p = await pipeline(t, { devices: 1 })
  const resident = p.devices[0]!.residentId!
  const pool = p.db.pool
  const smtp = await smtpSink(t)
  const { phone } = await testBrowser(t)
  await mkdir(ARTIFACTS, { recursive: true })
  const shot = (page: Page, name: string) => page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true })

  await pool.query(`UPDATE residents SET full_name = '王桂英', address = '静安区康定路 1001 弄 3 号 502 室', lat = 31.2290, lon = 121.4450 WHERE id = $1`, [resident])
  await pool.query(`INSERT INTO staff (id, org_id, full_name, role, phone, email) VALUES
    ('st-op', 'org-test', '值班员甲', 'operator', '13800000001', 'op@anxin.test'),
    ('st-carer', 'org-test', '护理员乙', 'carer', '13800000002', 'carer@anxin.test')`)
  await pool.query(`UPDATE residents SET assigned_carer_id = 'st-carer' WHERE id = $1`, [resident])
  await pool.query(`INSERT INTO oncall_rotations (id, org_id, role, members, start_date, shift_hours) VALUES ('rot-op', 'org-test', 'operator', '{st-op}', '2026-01-01', 24)`)
  await pool.query(`INSERT INTO responder_profiles (staff_id, skills, lat, lon, position_at) VALUES ('st-carer', '{first_aid}', 31.2315, 121.4460, now())`)
  await pool.query(`INSERT INTO notification_preferences (person_kind, person_id, channels) VALUES ('staff', 'st-carer', '{email}')`)
  await pool.query(
    `INSERT INTO escalation_policies (id, org_id, name, match, steps, handling_timeout_seconds, arrival_timeout_seconds, repeat_every_seconds)
     VALUES ('sos', 'org-test', 'SOS', '{"alarmTypes": ["sos"]}', $1, 900, 1800, 600)`,
    [JSON.stringify([{ targets: [{ kind: 'on_duty', role: 'operator' }, { kind: 'assigned_carer' }], waitSeconds: 600, channels: ['console', 'email'] }])],
  )

  await p.startIngestion()
  await p.startAlert()
  const escalation = await p.startEscalationHttp()
  await p.startDispatch({ escalationUrl: escalation.url, env: { SMTP_URL: smtp.url } })
  const [device] = await Promise.all(p.devices.map(d => p.device(d)))
  await device!.pressSos()

  const mailTo = (address: string) => smtp.inbox.filter(m => (Array.isArray(m.to) ? m.to : [m.to]).some(to => to?.text.includes(address)))
  t.ok(await waitUntil(async () => mailTo('carer@anxin.test').some(m => m.subject?.includes('SOS') && !m.text?.includes('上门')), 15000), 'the carer gets the alarm by e-mail')
  const alarmMail = mailTo('carer@anxin.test').find(m => m.subject?.includes('SOS') && !m.text?.includes('上门'))!
  const link = /https?:\/\/\S+\/r\/\S+/.exec(alarmMail.text!)![0]
  const lifecycle = async (alarmId: string) => (await escalation.service.http.inject({ url: `/alarms/${alarmId}` })).json().lifecycle

  // The link opens a page with one button and nothing personal: a mail scanner following the link sees no data and uses nothing up.
  const carer = await (await phone()).newPage()
  const opened = await carer.goto(link)
  t.equal(opened?.status(), 200)
  t.equal(await carer.locator('html').getAttribute('lang'), 'zh-CN', 'Chinese by default')
  t.ok(await carer.getByText('此链接只能打开一次').isVisible(), 'the page says the link opens once')
  const openButton = carer.getByRole('button', { name: '打开报警' })
  t.ok(await openButton.isVisible(), 'and offers one button to open the alarm')
  t.notMatch(await carer.content(), /王桂英|康定路/, 'no name or address before the link is used')
  await fitsThePhone(t, carer, 'interstitial')
  await shot(carer, '01-interstitial')

  const pageUrl = await press(carer, openButton)
  const alarmId = /\/responder\/alarms\/([0-9a-f-]{36})/.exec(pageUrl)?.[1]
  t.ok(alarmId, `the button leads to the alarm's page (${pageUrl})`)
  t.ok(await carer.locator('dd', { hasText: '王桂英' }).isVisible(), 'the resident\'s name shows once the link is used')
  t.ok(await carer.locator('dd', { hasText: '静安区康定路 1001 弄 3 号 502 室' }).isVisible(), 'and the address')
  t.ok(await carer.locator('li', { hasText: '值班员甲' }).isVisible(), 'and who else was called')
  t.ok(await carer.getByRole('heading', { name: /SOS|紧急/ }).isVisible(), `and what happened: ${await carer.locator('h1').textContent()}`)
  const acknowledge = carer.getByRole('button', { name: '确认接警' })
  t.ok(await acknowledge.isVisible(), 'and offers to acknowledge')
  t.ok(await carer.getByRole('button', { name: '无法处理' }).isVisible(), 'or to decline')
  await fitsThePhone(t, carer, 'alarm page')
  await shot(carer, '02-alarm')

  // Another phone (a forwarded e-mail, a colleague) cannot use the link again.
  const other = await (await phone()).newPage()
  const again = await other.goto(link)
  t.equal(again?.status(), 410, 'the link is single-use')
  t.ok(await other.getByText('链接已使用过').isVisible(), 'and the page says so')
  t.notMatch(await other.content(), /王桂英|康定路/, 'without showing anything personal')
  await fitsThePhone(t, other, 'link used')
  await shot(other, '03-link-used')
  // The carer's own phone, tapping the notification again, goes straight back to the page.
  await carer.goto(link)
  t.match(carer.url(), `/responder/alarms/${alarmId}`, 'the phone that used the link comes back to the page')

  // The carer acknowledges; the page shows it and escalation has it.
  await carer.goto(pageUrl)
  t.notMatch(await press(carer, carer.getByRole('button', { name: '确认接警' })), /error=/, 'the acknowledgement is accepted')
  const state = carer.locator('dd[data-state]')
  t.ok(await shows(carer, state, '已接警'), `the page shows the alarm acknowledged (${await state.textContent()})`)
  t.ok(await carer.locator('dd', { hasText: '护理员乙' }).isVisible(), 'by her')
  t.notOk(await carer.getByRole('button', { name: '确认接警' }).isVisible(), 'and no longer offers to acknowledge')
  t.equal((await lifecycle(alarmId!)).state, 'acknowledged', 'the acknowledgement reached escalation')
  t.equal((await lifecycle(alarmId!)).acknowledgedBy.id, 'st-carer')

  // The visit is offered to her on the same page.
  const accept = carer.getByRole('button', { name: '接受上门任务' })
  t.ok(await shows(carer, accept), 'the visit is offered to her')
  t.ok(await carer.getByRole('button', { name: '拒绝上门任务' }).isVisible(), 'which she may decline')
  await fitsThePhone(t, carer, 'acknowledged, visit offered')
  await shot(carer, '04-acknowledged-visit-offered')

  // In English (the link in the header), the same page reads in English.
  await Promise.all([carer.waitForEvent('load'), carer.getByRole('link', { name: 'English' }).click()])
  t.equal(await carer.locator('html').getAttribute('lang'), 'en', 'the language link switches the page to English')
  for (const words of ['Resident', 'Address', 'Living situation', 'Who else was called', 'Home visit', 'acknowledged']) {
    t.ok(await carer.getByText(words, { exact: true }).first().isVisible(), `"${words}" shows in English`)
  }
  t.ok(await carer.getByRole('button', { name: 'Accept the visit' }).isVisible(), 'and the buttons are in English')
  t.ok(await carer.getByRole('link', { name: '中文' }).isVisible(), 'with a link back to Chinese')
  t.notMatch(await carer.locator('main').innerText(), /确认接警|接受上门任务|已通知的人员/, 'no Chinese interface text left')
  await fitsThePhone(t, carer, 'English')
  await shot(carer, '05-english')
  // The smallest phones still in use are 320 px wide, and English words are the longer ones.
  await carer.setViewportSize({ width: 320, height: 640 })
  await fitsThePhone(t, carer, 'English, 320 px wide')
  await shot(carer, '05-english-320px')
  await carer.setViewportSize({ width: 390, height: 844 })
  await Promise.all([carer.waitForEvent('load'), carer.getByRole('link', { name: '中文' }).click()])
  t.equal(await carer.locator('html').getAttribute('lang'), 'zh-CN', 'and back to Chinese')

  // She takes the visit, sets off, arrives, and reports the outcome.
  const taskState = carer.locator('dd[data-task-state]')
  await press(carer, carer.getByRole('button', { name: '接受上门任务' }))
  t.ok(await shows(carer, taskState, '已接单'), 'the visit is hers')
  t.ok(await carer.getByText('请于此时间前到达').isVisible(), 'with the time to arrive by')
  t.equal((await lifecycle(alarmId!)).state, 'dispatched', 'accepting the visit dispatches her')
  await press(carer, carer.getByRole('button', { name: '我已出发' }))
  t.ok(await shows(carer, taskState, '前往中'), 'on her way')
  await press(carer, carer.getByRole('button', { name: '我已到达' }))
  t.ok(await shows(carer, taskState, '已到达'), 'arrived')
  t.equal((await lifecycle(alarmId!)).state, 'on_scene', 'escalation knows she is there')
  await carer.getByLabel('处理结果').selectOption('visited_fine')
  await carer.getByLabel('备注').fill('老人起身时头晕，已扶到床上，血压正常')
  await fitsThePhone(t, carer, 'outcome form')
  await shot(carer, '06-outcome-form')
  t.notMatch(await press(carer, carer.getByRole('button', { name: '完成并报告结果' })), /error=/, 'the outcome is accepted')
  t.ok(await shows(carer, taskState, '已完成'), 'the visit is complete')
  t.ok(await shows(carer, state, '已处理'), 'and the alarm resolved')
  t.equal(await carer.getByRole('button').count(), 0, 'nothing left to press')
  const done = await lifecycle(alarmId!)
  t.equal(done.state, 'resolved', 'escalation resolved the alarm')
  t.equal(done.outcome, 'visited_fine', 'with her outcome')
  await fitsThePhone(t, carer, 'resolved')
  await shot(carer, '07-resolved')
})

/**
 * Whether the page shows `locator` (with `text`, if given). An action escalation has not answered yet shows as
 * "being passed to the centre": the page is reloaded, as the carer would, until it shows.
 */
async function shows(page: Page, locator: Locator, text?: string): Promise<boolean> {
  const now = async () => (await locator.count()) > 0 && (await locator.first().isVisible()) && (text === undefined || (await locator.first().textContent())?.trim() === text)
  if (await now()) return true
  return waitUntil(async () => (await page.reload(), now()), 5000, 250)
}
