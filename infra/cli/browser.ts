import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'

/**
 * The browser tests drive Debian's Chromium (nothing is downloaded by playwright) and need CJK fonts, or every
 * Chinese character on a screenshot is an empty box. On a fresh machine both come from Debian's packages; where
 * they cannot be installed (no root), say what is missing instead of letting the browser tests fail obscurely.
 */
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const hasCjkFont = (): boolean => {
  try {
    return execFileSync('fc-list', [':lang=zh'], { encoding: 'utf8' }).trim().length > 0
  } catch {
    return false
  }
}

const missing = [...(existsSync(chromium) ? [] : ['chromium']), ...(hasCjkFont() ? [] : ['fonts-noto-cjk'])]
if (missing.length > 0) {
  if (process.getuid?.() !== 0) {
    console.error(`browser tests need Debian packages: ${missing.join(' ')} (run: sudo apt-get install -y ${missing.join(' ')})`)
    process.exit(1)
  }
  console.log(`installing ${missing.join(' ')} from Debian's packages for the browser tests`)
  const install = () => execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
  try {
    install()
  } catch {
    execFileSync('apt-get', ['update'], { stdio: 'inherit' })
    install()
  }
}
