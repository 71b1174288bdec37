import t from 'tap'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { makePrivateCa } from '../tls.ts'

const openssl = (...args: string[]) => execFileSync('openssl', args, { encoding: 'utf8' })

t.test('a private CA signs a broker certificate for the given names; a second run rotates it under the same CA', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'anxin-ca-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const files = makePrivateCa(dir, { hosts: ['mqtt.example.org', '127.0.0.1'] })
  t.match(openssl('verify', '-CAfile', files.cafile, files.certfile), /: OK/, 'the broker certificate chains to the CA')
  const text = openssl('x509', '-in', files.certfile, '-noout', '-text')
  t.match(text, /DNS:mqtt\.example\.org, IP Address:127\.0\.0\.1/, 'names every host')
  t.match(text, /TLS Web Server Authentication/)
  t.match(text, /CA:FALSE/, 'the broker certificate cannot sign others')
  t.equal(statSync(files.keyfile).mode & 0o077, 0, 'the broker key is private to its owner')
  t.equal(statSync(join(dir, 'ca.key')).mode & 0o077, 0, 'so is the CA key')

  const ca = readFileSync(files.cafile, 'utf8')
  const firstKey = readFileSync(files.keyfile, 'utf8')
  const firstSerial = openssl('x509', '-in', files.certfile, '-noout', '-serial')
  makePrivateCa(dir, { hosts: ['mqtt.example.org', '127.0.0.1'] })
  t.equal(readFileSync(files.cafile, 'utf8'), ca, 'the CA is kept: devices need no change')
  t.not(openssl('x509', '-in', files.certfile, '-noout', '-serial'), firstSerial, 'a new certificate')
  t.not(readFileSync(files.keyfile, 'utf8'), firstKey, 'with a new key')
  t.match(openssl('verify', '-CAfile', files.cafile, files.certfile), /: OK/)
  t.throws(() => makePrivateCa(dir, { hosts: [] }), /at least one host/)
})
