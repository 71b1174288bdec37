import type { z } from 'zod'

/** A one-line, payload-free description of what failed validation (paths and messages only). */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 10)
    .map(issue => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ')
}

/**
 * A payload-free description of a JSON.parse failure. V8 quotes the text it choked on
 * (`Unexpected token 'h', "hr=180 lat=31.2" is not valid JSON`), which would put health data into a
 * dead letter's detail, so only the engine's own wording before the first quote is kept.
 */
export function describeJsonError(error: unknown): string {
  const message = error instanceof Error ? error.message : ''
  const ownWording = message.split(/['"`]/, 1)[0]!.replace(/[\s,]+$/, '')
  return `not valid JSON${ownWording ? `: ${ownWording}` : ''}`
}
