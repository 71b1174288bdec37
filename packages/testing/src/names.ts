import { randomBytes } from 'node:crypto'

/** A short id unique to this test run, for schemas, topic suffixes, consumer groups and key prefixes. */
export function uniqueId(prefix = 't'): string {
  return `${prefix}${process.pid.toString(36)}${randomBytes(3).toString('hex')}`
}
