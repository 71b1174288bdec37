import type { z } from 'zod'

/** A one-line, payload-free description of what failed validation (paths and messages only). */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 10)
    .map(issue => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ')
}
