export { generateDemoDistrict, DEFAULT_SEED, DEFAULT_RESIDENTS } from './demo-district.ts'
export type { DemoDistrict, Device, Resident, Staff } from './demo-district.ts'
export { loadDistrict } from './load.ts'
export { loadConsoleAccounts, type DemoAccount } from './console-accounts.ts'
