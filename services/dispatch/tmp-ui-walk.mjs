import { open, login, go, shot } from './tmp-ui-lib.mjs'
const { browser, page } = await open()
const role = process.argv[2] ?? 'supervisor'
await login(page, role)
await go(page, '#/queue', `${role}-queue`)
const first = await page.getByTestId('alarm-row').first().getAttribute('data-alarm-id').catch(() => null)
console.log('first alarm', first)
if (first) {
  await go(page, `#/alarms/${first}`, `${role}-alarm`)
  const h = await page.evaluate(() => document.body.scrollHeight); console.log('alarm page height', h)
  await page.getByTestId('timeline-section').scrollIntoViewIfNeeded(); await shot(page, `${role}-alarm-timeline`)
}
await go(page, '#/residents', `${role}-residents`)
const rid = await page.getByTestId('resident-row').first().getAttribute('data-resident-id').catch(() => null)
if (rid) await go(page, `#/residents/${rid}`, `${role}-resident`)
await go(page, '#/devices', `${role}-devices`)
const did = await page.getByTestId('device-row').first().getAttribute('data-device-id').catch(() => null)
if (did) await go(page, `#/devices/${did}`, `${role}-device`)
await go(page, '#/schedules', `${role}-schedules`)
await go(page, '#/policies', `${role}-policies`)
await go(page, '#/dashboard', `${role}-dashboard`)
await browser.close()
