import { parseArgs } from 'node:util'
import { createLogger } from '@anxin/logging'
import { stackUp } from '@anxin/infra/stack'
import { cleanupStack } from './cleanup.ts'
import { benchKafkaClients } from './kafka-clients.ts'

/** `node bench/kafka-clients-cli.ts`: the Kafka client comparison on its own; prints the result as JSON. */
const { values } = parseArgs({
  args: process.argv.slice(2).filter(a => a !== '--'),
  options: {
    messages: { type: 'string', default: '200000' },
    batch: { type: 'string', default: '500' },
    presses: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '3' },
  },
})
await stackUp(createLogger({ service: 'bench', level: 'warn' }))
const cleanup = cleanupStack()
try {
  const result = await benchKafkaClients(cleanup, { messages: Number(values.messages), batch: Number(values.batch), sosPresses: Number(values.presses), rounds: Number(values.rounds) })
  console.log(JSON.stringify(result, null, 2))
} finally {
  await cleanup.run()
}
