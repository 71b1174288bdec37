import t from 'tap'
import { renderAcl, renderMosquittoConf, renderPasswordFile } from '../render.ts'

t.test('the ACL denies by default and confines devices to their own topics', async t => {
  const acl = renderAcl([{ username: 'svc-ingestion', role: 'ingestion' }])
  const lines = acl.split('\n').filter(l => l && !l.startsWith('#'))
  t.same(lines, [
    'user svc-ingestion',
    'topic read anxin/v1/dev/+/up/telemetry',
    'topic read anxin/v1/dev/+/up/event',
    'topic read anxin/v1/dev/+/up/alarm',
    'topic write anxin/v1/dev/+/down/#',
    'pattern write anxin/v1/dev/%u/up/telemetry',
    'pattern write anxin/v1/dev/%u/up/event',
    'pattern write anxin/v1/dev/%u/up/alarm',
    'pattern read anxin/v1/dev/%u/down/#',
  ])
})

t.test('the broker refuses anonymous clients and large packets', async t => {
  const conf = renderMosquittoConf({ dir: '/x', port: 18830 })
  t.match(conf, /^allow_anonymous false$/m)
  t.match(conf, /^listener 18830 127\.0\.0\.1$/m)
  t.match(conf, /^max_packet_size 1048576$/m)
  t.match(conf, /^acl_file \/x\/acl$/m)
})

t.test('password entries are validated', async t => {
  t.throws(() => renderPasswordFile([{ username: 'a:b', hash: '$7$1$x$y' }]))
  t.throws(() => renderPasswordFile([{ username: 'ok', hash: 'plain' }]))
  t.equal(renderPasswordFile([{ username: 'W1', hash: '$7$101$s$h' }]), 'W1:$7$101$s$h\n')
})

t.test('a TLS listener beside the plain one, or instead of it, at TLS 1.2 or newer', async t => {
  const tls = { port: 18883, cafile: '/x/tls/ca.crt', certfile: '/x/tls/broker.crt', keyfile: '/x/tls/broker.key' }
  const both = renderMosquittoConf({ dir: '/x', port: 18830, tls })
  t.match(both, /^listener 18830 127\.0\.0\.1$/m, 'the plain listener stays')
  t.match(both, /^listener 18883 127\.0\.0\.1\ncafile \/x\/tls\/ca\.crt\ncertfile \/x\/tls\/broker\.crt\nkeyfile \/x\/tls\/broker\.key\ntls_version tlsv1\.2$/m)
  t.match(both, /^per_listener_settings false$/m, 'so passwords and the ACL hold on both listeners')
  const only = renderMosquittoConf({ dir: '/x', port: 18830, host: '0.0.0.0', tls: { ...tls, only: true } })
  t.notMatch(only, /^listener 18830/m, 'TLS only: no plain listener')
  t.match(only, /^listener 18883 0\.0\.0\.0$/m, 'on the broker\'s host unless told otherwise')
  t.match(only, /^allow_anonymous false$/m)
  t.notMatch(renderMosquittoConf({ dir: '/x', port: 18830 }), /cafile|certfile|keyfile|tls_version/, 'no TLS unless asked')
})
