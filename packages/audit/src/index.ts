export { appendAudit, auditTrail, verifyAuditChain } from './audit-log.ts'
export { auditHash, GENESIS_HASH, verifyChain, type AuditEntry, type ChainBreak } from './audit-hash.ts'
