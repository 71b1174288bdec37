import type pg from 'pg'
import { listenForChanges, type ChangeListener } from '@anxin/db'
import type { Logger } from '@anxin/logging'
import type { RegisteredDevice } from '../domain/registered-device.ts'

const DEVICE_QUERY = `
  SELECT d.id AS "deviceId", d.org_id AS "orgId", d.status, b.resident_id AS "residentId"
  FROM devices d
  LEFT JOIN device_bindings b ON b.device_id = d.id AND b.unbound_at IS NULL`

/**
 * An in-memory view of the device registry. Loaded whole at start, refreshed per device when PostgreSQL
 * notifies a change, and re-read on a miss, so a device provisioned a moment ago is never refused.
 */
export class DeviceRegistryCache {
  private readonly devices = new Map<string, RegisteredDevice>()
  private readonly pool: pg.Pool
  private readonly log: Logger
  private listener: ChangeListener | null = null
  private reloadTimer: NodeJS.Timeout | null = null

  constructor(pool: pg.Pool, logger: Logger) {
    this.pool = pool
    this.log = logger.child({ component: 'device-registry' })
  }

  async start(): Promise<void> {
    await this.reloadAll()
    this.listener = await listenForChanges(this.pool, ['anxin_device_registry'], {
      onNotification: (_channel, deviceId) => void this.refresh(deviceId).catch(() => {}),
      onReconnected: () => void this.reloadAll().catch(() => {}),
    })
    // A notification lost during a database restart is also repaired by the periodic full reload.
    this.reloadTimer = setInterval(() => void this.reloadAll().catch(() => {}), 60000)
    this.reloadTimer.unref()
  }

  async stop(): Promise<void> {
    if (this.reloadTimer) clearInterval(this.reloadTimer)
    await this.listener?.stop()
  }

  get size(): number {
    return this.devices.size
  }

  async lookup(deviceId: string): Promise<RegisteredDevice | null> {
    const cached = this.devices.get(deviceId)
    if (cached && cached.status === 'active' && cached.residentId) return cached
    return this.refresh(deviceId)
  }

  private async refresh(deviceId: string): Promise<RegisteredDevice | null> {
    const { rows } = await this.pool.query<RegisteredDevice>(`${DEVICE_QUERY} WHERE d.id = $1`, [deviceId])
    const device = rows[0] ?? null
    if (device) this.devices.set(deviceId, device)
    else this.devices.delete(deviceId)
    return device
  }

  private async reloadAll(): Promise<void> {
    const { rows } = await this.pool.query<RegisteredDevice>(DEVICE_QUERY)
    this.devices.clear()
    for (const row of rows) this.devices.set(row.deviceId, row)
    this.log.info({ devices: rows.length }, 'device registry loaded')
  }
}
