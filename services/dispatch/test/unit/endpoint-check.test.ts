import t from 'tap'
import { checkEndpoint } from '../../src/adapters/endpoint-check.ts'

const dns: Record<string, string[]> = { 'push.example': ['203.0.113.5'], 'intranet.example': ['192.168.1.20'], 'sneaky.example': ['203.0.113.9', '10.1.2.3'] }
const resolve = async (host: string) => {
  const found = dns[host]
  if (!found) throw new Error('ENOTFOUND')
  return found
}
const check = (url: string, allowLocal = false) => checkEndpoint(url, { allowLocal, resolve })

t.test('a public https endpoint is accepted', async t => {
  t.same(await check('https://push.example/wpush/v2/abc'), { ok: true })
  t.same(await check('https://203.0.113.5/hook'), { ok: true })
})

t.test('anything that could reach the centre\'s own network is refused', async t => {
  t.match(await check('http://push.example/x'), { ok: false, reason: 'must be https' })
  for (const url of ['https://127.0.0.1/', 'https://10.0.0.5/admin', 'https://169.254.169.254/latest/meta-data', 'https://[::1]/', 'https://[::ffff:127.0.0.1]/', 'https://[fd00::1]/']) {
    t.match(await check(url), { ok: false, reason: /internal address/ }, url)
  }
  t.match(await check('https://intranet.example/'), { ok: false, reason: /internal address/ }, 'a name that resolves inside')
  t.match(await check('https://sneaky.example/'), { ok: false, reason: /internal address/ }, 'any internal address among several')
  t.match(await check('https://nowhere.example/'), { ok: false, reason: /does not resolve/ })
  t.match(await check('not a url'), { ok: false, reason: 'not a URL' })
  t.match(await check('ftp://push.example/'), { ok: false })
})

t.test('tests and one-machine demos may allow plain http and local addresses', async t => {
  t.same(await check('http://127.0.0.1:8080/push/1', true), { ok: true })
  t.match(await check('file:///etc/passwd', true), { ok: false })
})
