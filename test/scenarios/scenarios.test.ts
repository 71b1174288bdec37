import t from 'tap'
import { report, runScenarios } from './runner.ts'
import { scenarioFiles } from './scenario-files.ts'
import { parseScenario, ScenarioFileError } from './schema.ts'

const SPEED = 20

/** A scenario that must fail: the SOS is raised, but the expectation says a fall and a doctor nobody called. */
const WRONG = `
title: 一个写错了期望的场景
covers: [the runner reports a failed expectation]
start: "12:00"
resident:
  name: 测试老人
  age: 80
  devices:
    pendant: { type: sos_pendant }
staff:
  operator: { name: 值班员, role: operator, onDuty: true }
  doctor: { name: 医生, role: doctor }
timeline:
  - { at: "12:00:05", device: pendant, does: press_sos }
  - { at: "12:00:15", expect: { alarm: sos, severity: critical } }
  - { at: "+1s", expect: { alarm: fall, within: 5s } }
  - { at: "+1s", expect: { alarm: sos, notified: doctor, within: 5s } }
`

t.test('every scenario in simulators/scenarios plays and passes its checks; a wrong expectation fails', async t => {
  const scenarios = scenarioFiles()
  const wrong = parseScenario(WRONG, 'inline/wrong-expectation.yaml')
  const started = Date.now()
  const results = await runScenarios(t, [...scenarios, wrong], { speed: SPEED })
  t.comment(`played ${results.length} scenarios in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  for (const result of results.slice(0, -1)) {
    t.test(result.scenario.name, async t => {
      if (!result.ok) t.comment(report(result))
      for (const check of result.checks) t.ok(check.ok, `${check.at} ${check.label}${check.ok ? '' : `: ${check.detail}`}`)
      t.ok(result.checks.length > 0, 'the scenario checks something')
    })
  }
  const failing = results.at(-1)!
  t.notOk(failing.ok, 'the scenario with a wrong expectation is reported as failed')
  t.same(failing.checks.map(c => c.ok), [true, false, false], 'exactly its two wrong expectations failed')
  t.match(failing.checks[1]!.detail, /sos\/critical/, 'the failure says what there was instead')
})

t.test('every alarm type is covered by some scenario', async t => {
  const { PLATFORM_ALARM_TYPES } = await import('@anxin/contracts')
  const text = JSON.stringify(scenarioFiles().map(s => s.timeline))
  for (const type of PLATFORM_ALARM_TYPES) t.ok(text.includes(`"alarm":"${type}"`), `${type} is expected somewhere`)
})

t.test('a bad scenario file is refused with every problem named by file and field', async t => {
  const error = t.throws(() => parseScenario(`
title: 坏文件
covers: [nothing]
resident: { name: 某人, age: 200, devices: { watch: { type: toaster } } }
timeline:
  - { at: "25:00", device: watch, does: press_sos }
  - { at: "+1s", who: ghost, does: acknowledge }
  - { at: "+1s", expect: { alarm: sos, notified: doctor, step: 2 } }
`, 'bad.yaml')) as ScenarioFileError
  t.ok(error instanceof ScenarioFileError)
  t.match(error.message, /^bad\.yaml: invalid scenario/)
  const problems = error.problems.join('\n')
  t.match(problems, /resident\.age/)
  t.match(problems, /resident\.devices\.watch\.type/)
  t.match(problems, /timeline\.0\.at/)
  t.match(problems, /timeline\.2\.expect.*one expectation at a time/)
  // Once the shape is right, the references are checked: people and devices must be declared.
  const unknown = t.throws(() => parseScenario(`
title: 引用错误
covers: [nothing]
start: "10:00"
resident: { name: 某人, age: 80, carer: nobody, devices: { watch: {} } }
timeline:
  - { at: "+1s", device: pendant, does: press_sos }
  - { at: "+1s", who: ghost, does: acknowledge }
`, 'refs.yaml')) as ScenarioFileError
  const refs = unknown.problems.join('\n')
  t.match(refs, /resident\.carer: "nobody" is not one of the staff/)
  t.match(refs, /timeline\.0\.device: "pendant" is not one of the resident's devices \(watch\)/)
  t.match(refs, /timeline\.1\.who: "ghost"/)
})
