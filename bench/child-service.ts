import { spawn, type ChildProcess } from 'node:child_process'

/** Starts a platform service as its own process (its own core) and resolves once it logs `readyText`. */
export function startService(entry: string, env: Record<string, string>, readyText: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [entry], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  return new Promise((resolve, reject) => {
    let output = ''
    const onData = (chunk: Buffer) => {
      output = (output + String(chunk)).slice(-20000)
      if (output.includes(readyText)) {
        clearTimeout(timer)
        resolve(child)
      }
    }
    const timer = setTimeout(() => reject(new Error(`${entry} did not start:\n${output}`)), 60000)
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', code => reject(new Error(`${entry} exited (${code}):\n${output}`)))
  })
}
