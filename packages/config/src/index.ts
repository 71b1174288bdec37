export * from './load-config.ts'
export * from './fragments.ts'
