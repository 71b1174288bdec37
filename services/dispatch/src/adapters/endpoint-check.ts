import { lookup } from 'node:dns/promises'
import { BlockList, isIP } from 'node:net'

/**
 * A URL someone registers for this service to call (a push endpoint, an organisation's webhook) must be https
 * and must not lead into the centre's own network: otherwise registering http://10.0.0.5/admin would make
 * dispatch call internal systems on the registrant's behalf (server-side request forgery). Tests and demos on
 * one machine allow plain http and local addresses explicitly.
 */
const INTERNAL = new BlockList()
for (const [net, bits] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.168.0.0', 16], ['224.0.0.0', 4], ['240.0.0.0', 4]] as const) {
  INTERNAL.addSubnet(net, bits, 'ipv4')
}
for (const [net, bits] of [['::', 127], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) INTERNAL.addSubnet(net, bits, 'ipv6')

export type EndpointVerdict = { ok: true } | { ok: false; reason: string }

export async function checkEndpoint(url: string, options: { allowLocal: boolean; resolve?: (host: string) => Promise<string[]> }): Promise<EndpointVerdict> {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return { ok: false, reason: 'not a URL' }
  }
  if (options.allowLocal) return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? { ok: true } : { ok: false, reason: 'must be http(s)' }
  if (parsed.protocol !== 'https:') return { ok: false, reason: 'must be https' }
  const host = parsed.hostname.replace(/^\[|\]$/g, '')
  const resolve = options.resolve ?? (async (name: string) => (await lookup(name, { all: true })).map(a => a.address))
  let addresses: string[]
  try {
    addresses = isIP(host) ? [host] : await resolve(host)
  } catch {
    return { ok: false, reason: `${host} does not resolve` }
  }
  const internal = addresses.find(address => {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1]
    return mapped ? INTERNAL.check(mapped, 'ipv4') : INTERNAL.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4')
  })
  return internal ? { ok: false, reason: `${host} is an internal address` } : { ok: true }
}
