export { buildConsole, type ConsoleService, type ConsoleDeps } from './service.ts'
export { loadConsoleConfig, type ConsoleConfig } from './config.ts'
export { upsertAccount } from './adapters/accounts.ts'
