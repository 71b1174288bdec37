export * from './render.ts'
export * from './broker.ts'
