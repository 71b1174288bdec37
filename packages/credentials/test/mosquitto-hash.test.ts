import t from 'tap'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { derivedDevicePassword, mosquittoPasswordHash, verifyMosquittoPassword } from '../src/index.ts'

t.test('our hash verifies against a hash written by mosquitto_passwd itself', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'anxin-pw-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'passwd')
  writeFileSync(file, 'W00000001:s3cret-Pa55\n')
  execFileSync('mosquitto_passwd', ['-U', file])
  const stored = readFileSync(file, 'utf8').trim().split(':')[1]!
  t.ok(verifyMosquittoPassword('s3cret-Pa55', stored), 'right password accepted')
  t.notOk(verifyMosquittoPassword('wrong', stored), 'wrong password refused')
  const ours = mosquittoPasswordHash('s3cret-Pa55')
  t.match(ours, /^\$7\$101\$[A-Za-z0-9+/=]{16}\$[A-Za-z0-9+/=]{88}$/)
  t.ok(verifyMosquittoPassword('s3cret-Pa55', ours))
})

t.test('derived device passwords are stable per device and secret', async t => {
  t.equal(derivedDevicePassword('k', 'W1'), derivedDevicePassword('k', 'W1'))
  t.not(derivedDevicePassword('k', 'W1'), derivedDevicePassword('k', 'W2'))
  t.not(derivedDevicePassword('k', 'W1'), derivedDevicePassword('other', 'W1'))
})
