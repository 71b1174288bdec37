export * from './simulated-device.ts'
export * from './fleet.ts'
export * from './vitals-model.ts'
