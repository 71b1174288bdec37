import { createLogger } from '@anxin/logging'
import { stackDown, stackStatus, stackUp } from '../stack/index.ts'

const command = process.argv.slice(2).find(a => a !== '--') ?? 'status'
const logger = createLogger({ service: 'stack', level: process.env.LOG_LEVEL ?? 'info' })

try {
  if (command === 'up') {
    const settings = await stackUp(logger)
    console.log(`stack is up: kafka ${settings.KAFKA_BROKERS}, mqtt ${settings.MQTT_URL}, postgres ${settings.DATABASE_URL}, redis ${settings.REDIS_URL}`)
  } else if (command === 'down') {
    await stackDown()
    console.log('stack is down (the machine\'s PostgreSQL and Redis keep running)')
  } else if (command === 'status') {
    const status = await stackStatus()
    for (const [name, up] of Object.entries(status)) console.log(`${name.padEnd(10)} ${up ? 'running' : 'stopped'}`)
    process.exitCode = Object.values(status).every(Boolean) ? 0 : 3
  } else {
    console.error(`usage: pnpm stack up | down | status (got "${command}")`)
    process.exitCode = 2
  }
} catch (error) {
  console.error(`stack ${command} failed: ${(error as Error).message}`)
  process.exitCode = 1
}
