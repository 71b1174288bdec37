export { buildDispatch, type DispatchService } from './service.ts'
export { loadDispatchConfig, dispatchEnvSchema, type DispatchConfig } from './config.ts'
export * from './channels/index.ts'
