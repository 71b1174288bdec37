export * from './render.ts'
export * from './broker.ts'
export * from './credential-sync.ts'
export * from './tls.ts'
