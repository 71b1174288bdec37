import { open, login, go, shot, BASE, PW } from './tmp-ui-lib.mjs'
async function apiAs(user, path) {
  const r = await fetch(BASE + '/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: user, password: PW }) })
  const cookie = r.headers.get('set-cookie').split(';')[0]
  return (await fetch(BASE + path, { headers: { cookie } })).json()
}
const q = await apiAs('operator', '/api/alarms?view=open')
let who = process.argv[2] ?? null
if (!who) for (const a of q.items) {
  const d = await apiAs('operator', `/api/alarms/${a.id}`)
  for (const t of d.tasks) { console.log('task', t.state, t.responderId, t.responderName, t.offerExpiresAt); if (t.responderId && !['completed','cancelled'].includes(t.state)) who = t.responderId }
}
console.log('login as', who)
const { browser, page } = await open({ width: 390, height: 844 })
await login(page, who)
await go(page, '#/responder', `responder-${who}`)
console.log(await page.getByTestId('task-card').count(), 'cards')
await page.evaluate(() => window.scrollTo(0, 500)); await shot(page, `responder-${who}-2`)
const w = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]); console.log('widths', w)
await page.setViewportSize({ width: 390, height: 844 })
await go(page, '#/queue', `responder-${who}-queue`)
await browser.close()
