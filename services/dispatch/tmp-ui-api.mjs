import { readFileSync } from 'node:fs'
const pw = readFileSync('/work/main/.run/stack.env', 'utf8').match(/^DEMO_CONSOLE_PASSWORD=(.*)$/m)[1].replace(/^['"]|['"]$/g, '')
const base = 'http://127.0.0.1:8086'
const [user, ...paths] = process.argv.slice(2)
const r = await fetch(base + '/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: user, password: pw }) })
const cookie = r.headers.get('set-cookie').split(';')[0]
for (const p of paths) {
  const a = await fetch(base + p, { headers: { cookie } })
  console.log('### ' + p + ' ' + a.status)
  const text = await a.text()
  try { console.log(JSON.stringify(JSON.parse(text), null, 1)) } catch { console.log(text) }
}
