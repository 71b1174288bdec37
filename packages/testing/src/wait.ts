/** Polls `check` until it returns true or the time is up; returns whether it became true. */
export async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs = 15000, intervalMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return true
    await new Promise(r => setTimeout(r, intervalMs))
  }
  return check()
}
