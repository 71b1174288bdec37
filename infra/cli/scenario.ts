/**
 * Plays elderly-care scenarios (simulators/scenarios/*.yaml) against a fresh pipeline on the local stack and
 * prints each one's story and checks: `pnpm scenario -- <file.yaml|name|all> [--speed 30]`. Exit code 1 when
 * a check fails or a file is invalid.
 */
import { parseArgs } from 'node:util'
import { report, runScenarios } from '../../test/scenarios/runner.ts'
import { scenarioFiles } from '../../test/scenarios/scenario-files.ts'
import { ScenarioFileError, type Scenario } from '../../test/scenarios/schema.ts'

// `pnpm scenario -- x --speed 5` passes the `--` along; it is not the end of the options here.
const args = process.argv.slice(2).filter((a, i) => !(i === 0 && a === '--'))
const { values, positionals } = parseArgs({ args, options: { speed: { type: 'string', default: '30' } }, allowPositionals: true })
const speed = Number(values.speed)
if (!(speed >= 1 && speed <= 120)) {
  console.error('--speed must be a number from 1 (real time) to 120')
  process.exit(2)
}

let scenarios: Scenario[]
try {
  scenarios = (positionals.length ? positionals : ['all']).flatMap(which => scenarioFiles(which))
} catch (error) {
  console.error(error instanceof ScenarioFileError ? error.message : `cannot read scenarios: ${(error as Error).message}`)
  process.exit(1)
}

const cleanups: Array<() => unknown> = []
const started = Date.now()
let exitCode = 0
try {
  const results = await runScenarios({ teardown: fn => cleanups.push(fn) }, scenarios, { speed })
  for (const result of results) console.log(`${report(result)}\n   checks:\n${result.checks.map(c => `     ${c.ok ? '✓' : '✗'} ${c.at} ${c.label}${c.ok ? '' : ` — ${c.detail}`}`).join('\n')}\n`)
  const failed = results.filter(r => !r.ok)
  console.log(`${results.length - failed.length}/${results.length} scenarios passed at ${speed}x in ${((Date.now() - started) / 1000).toFixed(1)} s${failed.length ? `; failed: ${failed.map(r => r.scenario.name).join(', ')}` : ''}`)
  exitCode = failed.length ? 1 : 0
} catch (error) {
  console.error(`the platform failed: ${(error as Error).stack}`)
  exitCode = 1
} finally {
  for (const cleanup of cleanups.reverse()) await Promise.resolve().then(cleanup).catch(() => {})
}
process.exit(exitCode)
