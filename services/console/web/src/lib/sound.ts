// A short two-tone alert made with the Web Audio API (no audio file). Browsers keep audio locked until the
// user's first click on the page; until then the beep is silently skipped and the banner alone alerts.
let ctx: AudioContext | null = null

function context(): AudioContext | null {
  if (ctx !== null) return ctx
  const Ctor = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext
  if (Ctor === undefined) return null
  try {
    ctx = new Ctor()
  } catch {
    return null
  }
  return ctx
}

/** Called on the first user gesture so later beeps are allowed to play. */
export function unlockAudio(): void {
  const c = context()
  if (c !== null && c.state === 'suspended') void c.resume().catch(() => undefined)
}

export function audioUnlocked(): boolean {
  return ctx !== null && ctx.state === 'running'
}

export function beep(): void {
  const c = context()
  if (c === null || c.state !== 'running') return
  const start = c.currentTime
  for (const [i, freq] of [880, 660, 880].entries()) {
    const osc = c.createOscillator()
    const gain = c.createGain()
    osc.type = 'square'
    osc.frequency.value = freq
    const t0 = start + i * 0.22
    gain.gain.setValueAtTime(0.0001, t0)
    gain.gain.exponentialRampToValueAtTime(0.25, t0 + 0.02)
    gain.gain.exponentialRampToValueAtTime(0.0001, t0 + 0.18)
    osc.connect(gain).connect(c.destination)
    osc.start(t0)
    osc.stop(t0 + 0.2)
  }
}
