import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { REPO_ROOT } from '@anxin/infra/stack'
import { renderChart } from './chart.ts'
import { chartFromResult } from './chart-input.ts'
import { markdownReport } from './markdown.ts'
import type { Result } from './result.ts'

/** `node bench/report/render.ts`: writes latest.md and latest.svg again from latest.json (no measuring). */
const dir = join(REPO_ROOT, 'bench/results')
const result = JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8')) as Result
writeFileSync(join(dir, 'latest.md'), markdownReport(result))
writeFileSync(join(dir, 'latest.svg'), renderChart(chartFromResult(result)))
