import { chromium } from 'playwright-core'
import { readFileSync } from 'node:fs'
export const PW = readFileSync('/work/main/.run/stack.env', 'utf8').match(/^DEMO_CONSOLE_PASSWORD=(.*)$/m)[1].replace(/^['"]|['"]$/g, '')
export const BASE = 'http://127.0.0.1:8086'
export const OUT = '/work/main/.run/artifacts/console-real'
export async function open(viewport = { width: 1440, height: 900 }) {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] })
  const ctx = await browser.newContext({ viewport, timezoneId: 'Asia/Shanghai', locale: 'zh-CN' })
  const page = await ctx.newPage()
  page.on('pageerror', (e) => console.log('PAGEERROR', e.message))
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') console.log('CONSOLE', m.type(), m.text()) })
  page.on('response', (r) => { if (r.url().includes('/api/') && r.status() >= 400) console.log('API FAIL', r.status(), r.request().method(), r.url()) })
  return { browser, ctx, page }
}
export async function login(page, user) {
  await page.goto(BASE + '/#/login')
  await page.getByTestId('login-username').fill(user)
  await page.getByTestId('login-password').fill(PW)
  await page.getByTestId('login-submit').click()
  await page.waitForSelector('[data-testid=user-name]')
}
export async function shot(page, name) {
  await page.waitForTimeout(800)
  await page.screenshot({ path: `${OUT}/${name}.png` })
  console.log('shot', name)
}
export async function go(page, hash, name) {
  await page.goto(BASE + '/' + hash)
  await page.waitForTimeout(1500)
  if (name) await shot(page, name)
}
