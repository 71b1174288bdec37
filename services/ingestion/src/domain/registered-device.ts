/** What ingestion needs to know about a device to accept its messages. */
export type RegisteredDevice = {
  deviceId: string
  orgId: string
  status: 'active' | 'revoked'
  /** The resident currently wearing or owning the device; null when unbound. */
  residentId: string | null
}
