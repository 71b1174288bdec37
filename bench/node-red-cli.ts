import { parseArgs } from 'node:util'
import { cleanupStack } from './cleanup.ts'
import { benchNodeRed, loadFleet, simulatorFleet } from './node-red.ts'
import { FLOWS, type NodeRedFlow } from './peers/node-red/process.ts'

/**
 * `node bench/node-red-cli.ts [--steps 1000,2000] [--seconds 10] [--devices 500] [--flows per-message,batched]
 * [--generator load-fleet|simulator]`: the Node-RED peer measurement on its own, against the running local stack;
 * prints the result as JSON.
 */
const { values } = parseArgs({
  args: process.argv.slice(2).filter(a => a !== '--'),
  options: {
    steps: { type: 'string', default: '1000,2000,4000,6000,8000,12000,16000,20000,24000,28000' },
    seconds: { type: 'string', default: '15' },
    devices: { type: 'string', default: '500' },
    flows: { type: 'string', default: FLOWS.join(',') },
    generator: { type: 'string', default: 'load-fleet' },
  },
})
const flows = values.flows.split(',') as NodeRedFlow[]
for (const f of flows) if (!FLOWS.includes(f)) throw new Error(`unknown flow ${f}: expected one of ${FLOWS.join(', ')}`)
if (values.generator !== 'load-fleet' && values.generator !== 'simulator') throw new Error(`unknown generator ${values.generator}: expected load-fleet or simulator`)
const cleanup = cleanupStack()
try {
  const result = await benchNodeRed(cleanup, {
    steps: values.steps.split(',').map(Number),
    seconds: Number(values.seconds),
    devices: Number(values.devices),
    maxDrainSeconds: 10,
    flows,
    connectLoad: values.generator === 'simulator' ? simulatorFleet : loadFleet,
  })
  console.log(JSON.stringify(result, null, 2))
} finally {
  await cleanup.run()
}
