export * from './service.ts'
export * from './config.ts'
export * from './domain/system-alarm.ts'
export type { AlarmBoard } from './domain/alarm-board.ts'
