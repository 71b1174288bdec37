export * from './mosquitto-hash.ts'
export * from './device-password.ts'
export * from './staff-password.ts'
