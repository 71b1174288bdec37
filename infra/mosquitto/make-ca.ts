import { parseArgs } from 'node:util'
import { makePrivateCa } from './tls.ts'

/**
 * `node infra/mosquitto/make-ca.ts --dir DIR --host mqtt.example.org [--host 10.0.0.5]`: a private CA (made
 * once) and a new broker certificate signed by it, for Mosquitto's TLS listener (docs/device-security.md).
 * Run it again to rotate the broker certificate; the CA stays.
 */
const { values } = parseArgs({ options: { dir: { type: 'string' }, host: { type: 'string', multiple: true } } })
if (!values.dir || !values.host?.length) {
  console.error('usage: node infra/mosquitto/make-ca.ts --dir DIR --host NAME_OR_IP [--host ...]')
  process.exit(2)
}
const files = makePrivateCa(values.dir, { hosts: values.host })
console.log(JSON.stringify(files, null, 2))
