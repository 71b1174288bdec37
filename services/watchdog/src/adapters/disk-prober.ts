import { statfs } from 'node:fs/promises'
import type { DiskObservation } from '../domain/observations.ts'

/** Free space as an unprivileged writer sees it (bavail, not bfree: the root reserve is not Kafka's to use). */
export async function probeDisk(label: string, path: string): Promise<DiskObservation> {
  try {
    const stats = await statfs(path)
    return { label, path, ok: true, freeBytes: stats.bavail * stats.bsize, totalBytes: stats.blocks * stats.bsize }
  } catch (error) {
    return { label, path, ok: false, reason: (error as NodeJS.ErrnoException).code ?? (error as Error).message }
  }
}
