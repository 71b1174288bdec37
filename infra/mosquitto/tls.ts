import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { isIP } from 'node:net'

/** The files of a private CA and the broker certificate it signed, as Mosquitto's TLS listener names them. */
export type BrokerTlsFiles = { cafile: string; certfile: string; keyfile: string }

export type PrivateCaOptions = {
  /** Names and addresses devices use to reach the broker (its certificate must list them). */
  hosts: string[]
  /** Default 10 years: the CA certificate is on every device, and replacing it means touching every device. */
  caDays?: number
  /** Default 825 days (the longest lifetime common TLS clients accept); rotate well before. */
  brokerDays?: number
}

/**
 * Makes a private CA in `dir` (kept if it is already there) and issues the broker a certificate signed by it,
 * with `openssl`. Devices and ingestion trust `ca.crt` only; `ca.key` signs and should then be moved offline.
 * Calling it again issues a new broker certificate from the same CA (rotation: the broker reloads it on SIGHUP,
 * devices notice nothing). Returns the paths for `renderMosquittoConf`'s TLS listener.
 */
export function makePrivateCa(dir: string, options: PrivateCaOptions): BrokerTlsFiles {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const files = { cafile: join(dir, 'ca.crt'), certfile: join(dir, 'broker.crt'), keyfile: join(dir, 'broker.key') }
  const caKey = join(dir, 'ca.key')
  if (!existsSync(files.cafile) || !existsSync(caKey)) {
    openssl('req', '-x509', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', caKey,
      '-out', files.cafile, '-days', String(options.caDays ?? 3650), '-subj', '/O=Anxin/CN=Anxin private device CA',
      '-addext', 'basicConstraints=critical,CA:TRUE,pathlen:0', '-addext', 'keyUsage=critical,keyCertSign,cRLSign')
  }
  issueBrokerCertificate(dir, files, caKey, options)
  return files
}

function issueBrokerCertificate(dir: string, files: BrokerTlsFiles, caKey: string, options: PrivateCaOptions): void {
  if (options.hosts.length === 0) throw new Error('the broker certificate needs at least one host name or address')
  const request = join(dir, 'broker.csr')
  const extensions = join(dir, 'broker.ext')
  const names = options.hosts.map(host => (isIP(host) ? `IP:${host}` : `DNS:${host}`)).join(',')
  writeFileSync(extensions, `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=${names}\n`)
  // A fresh key with every certificate: rotation also retires a key that may have leaked.
  openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', files.keyfile,
    '-out', request, '-subj', `/O=Anxin/CN=${options.hosts[0]}`)
  openssl('x509', '-req', '-in', request, '-CA', files.cafile, '-CAkey', caKey, '-CAcreateserial', '-out', files.certfile,
    '-days', String(options.brokerDays ?? 825), '-sha256', '-extfile', extensions)
  rmSync(request, { force: true })
  rmSync(extensions, { force: true })
}

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] })
}
