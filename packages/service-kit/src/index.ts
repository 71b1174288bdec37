export * from './shutdown.ts'
export * from './health-routes.ts'
export * from './wakeable-loop.ts'
export * from './deadline.ts'
