export * from './mosquitto-hash.ts'
export * from './device-password.ts'
