import type { FastifyInstance } from 'fastify'
import type { AlarmBoard } from '../domain/alarm-board.ts'

/** `GET /system-alarms`: what the console's banner shows. Unauthenticated like /health: it holds no personal data. */
export function registerSystemAlarmRoutes(http: FastifyInstance, board: () => AlarmBoard): void {
  http.get('/system-alarms', async () => board())
}
