import { readdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { loadScenario, type Scenario } from './schema.ts'

export const SCENARIO_DIR = resolve(import.meta.dirname, '../../simulators/scenarios')

/** Every scenario file, or the one named (a path, or a name in simulators/scenarios). */
export function scenarioFiles(which = 'all'): Scenario[] {
  if (which !== 'all') return [loadScenario(which.includes('/') || which.endsWith('.yaml') ? resolve(which) : join(SCENARIO_DIR, `${which}.yaml`))]
  return readdirSync(SCENARIO_DIR).filter(f => f.endsWith('.yaml')).sort().map(f => loadScenario(join(SCENARIO_DIR, f)))
}
