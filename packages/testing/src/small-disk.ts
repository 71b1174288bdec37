import { execFileSync } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Teardown } from './teardown.ts'

export type SmallDisk = {
  path: string
  /** Fills the disk with a ballast file until the kernel says "no space left", leaving `leaveBytes` free. */
  fill: (leaveBytes?: number) => void
  /** Deletes the ballast: the disk has room again. */
  free: () => void
  freeBytes: () => number
}

/**
 * A filesystem of its own with a fixed size (tmpfs), so a test can fill it to the last byte and see what a
 * database or broker on it does when the disk is full, without touching the machine's real disk. Mounting
 * needs root; without it the test fails with that reason rather than skipping.
 */
export function smallDisk(t: Teardown, sizeMiB: number): SmallDisk {
  const path = mkdtempSync(join(tmpdir(), 'anxin-disk-'))
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m,mode=0755`, 'tmpfs', path], { stdio: 'pipe' })
  } catch (error) {
    rmSync(path, { recursive: true, force: true })
    throw new Error(`a disk-full test needs a small filesystem of its own: mounting a ${sizeMiB} MiB tmpfs failed (needs root): ${(error as Error).message}`)
  }
  t.teardown(() => {
    try {
      execFileSync('umount', ['-l', path], { stdio: 'pipe' })
    } finally {
      rmSync(path, { recursive: true, force: true })
    }
  })
  const ballast = join(path, 'ballast')
  const freeBytes = () => {
    const s = statfsSync(path)
    return s.bavail * s.bsize
  }
  return {
    path,
    freeBytes,
    fill: (leaveBytes = 0) => {
      const fd = openSync(ballast, 'a')
      const chunk = Buffer.alloc(1024 * 1024)
      try {
        for (;;) {
          const room = freeBytes() - leaveBytes
          if (room <= 0) break
          writeSync(fd, chunk, 0, Math.min(chunk.length, room))
        }
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error
      } finally {
        closeSync(fd)
      }
    },
    free: () => rmSync(ballast, { force: true }),
  }
}
