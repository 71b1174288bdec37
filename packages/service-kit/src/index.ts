export * from './shutdown.ts'
export * from './health-routes.ts'
