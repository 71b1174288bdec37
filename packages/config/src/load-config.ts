import { z } from 'zod'

export class ConfigError extends Error {
  readonly problems: string[]
  constructor(service: string, problems: string[]) {
    super(`${service}: invalid configuration:\n${problems.map(p => `  - ${p}`).join('\n')}`)
    this.name = 'ConfigError'
    this.problems = problems
  }
}

/**
 * Validates a service's environment once, at boot. Every missing or invalid key is reported in one error,
 * so an operator fixes a bad deployment in one pass rather than one key per restart.
 */
export function loadConfig<S extends z.ZodObject>(
  service: string,
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  const result = schema.safeParse(env)
  if (result.success) return result.data
  const problems = result.error.issues.map(issue => {
    const key = issue.path.join('.') || '(environment)'
    const value = env[key]
    return value === undefined ? `${key}: missing (${issue.message})` : `${key}: ${issue.message}`
  })
  throw new ConfigError(service, problems)
}
