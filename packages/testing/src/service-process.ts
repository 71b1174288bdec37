import { spawn, type ChildProcess } from 'node:child_process'

/**
 * Starts a platform service as a process of its own (as in production, so a test can SIGKILL it) and
 * resolves once it logs `readyText`; rejects with its output if it exits or does not get ready in time.
 */
export function startServiceProcess(entry: string, env: Record<string, string>, readyText: string, timeoutMs = 60000): Promise<ChildProcess> {
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
    const timer = setTimeout(() => reject(new Error(`${entry} did not start:\n${output}`)), timeoutMs)
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', code => reject(new Error(`${entry} exited (${code}):\n${output}`)))
  })
}
