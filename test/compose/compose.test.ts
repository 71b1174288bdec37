import t from 'tap'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, posix } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { initEnvSchema } from '../../infra/cli/init-config.ts'
import { brokerSyncEnvSchema } from '../../infra/cli/broker-sync-config.ts'
import { ingestionEnvSchema } from '../../services/ingestion/src/config.ts'
import { recorderEnvSchema } from '../../services/recorder/src/config.ts'
import { alertEnvSchema } from '../../services/alert/src/config.ts'
import { escalationEnvSchema } from '../../services/escalation/src/config.ts'
import { dispatchEnvSchema } from '../../services/dispatch/src/config.ts'
import { consoleEnvSchema } from '../../services/console/src/config.ts'
import { watchdogEnvSchema } from '../../services/watchdog/src/config.ts'

/**
 * No Docker runs where this project is developed and tested, so docker-compose.yml and the Dockerfiles are
 * kept true by reading them: environments against the services' zod schemas, Dockerfiles against the
 * workspace, images against the pinned versions. Every check returns a list of problems; the last test
 * feeds each check a broken input to prove it can fail.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..')
const COMPOSE_FILE = 'docker-compose.yml'

type EnvSchema = {
  shape: Record<string, { safeParse(value: unknown): { success: boolean } }>
  safeParse(value: unknown): {
    success: boolean
    data?: unknown
    error?: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }
  }
}

/** The compose services whose environment a zod schema reads at boot. */
const ENV_SCHEMAS: Record<string, EnvSchema> = {
  ingestion: ingestionEnvSchema,
  recorder: recorderEnvSchema,
  alert: alertEnvSchema,
  escalation: escalationEnvSchema,
  dispatch: dispatchEnvSchema,
  console: consoleEnvSchema,
  watchdog: watchdogEnvSchema,
  init: initEnvSchema,
  'broker-sync': brokerSyncEnvSchema,
}

type ComposeService = {
  image?: unknown
  build?: unknown
  command?: unknown
  environment?: unknown
  depends_on?: unknown
  healthcheck?: { test?: unknown }
  ports?: unknown
  volumes?: unknown
  restart?: unknown
}
type Compose = { services: Record<string, ComposeService>; volumes?: Record<string, unknown> | null }
type Problems = string[]

const exists = (path: string): boolean => existsSync(join(ROOT, path))
const readRepoFile = (path: string): string | null => (exists(path) ? readFileSync(join(ROOT, path), 'utf8') : null)

// ---------------------------------------------------------------------------------------------------------
// Compose file: parsing and interpolation

/** Parses compose YAML with merge keys on, as Docker Compose does; `${VAR:-default}` is left as written. */
function parseCompose(text: string): Compose {
  const doc = parse(text, { merge: true }) as Compose | null
  if (!doc || typeof doc.services !== 'object' || doc.services === null) throw new Error('no services in compose file')
  return doc
}

/** Compose interpolation with every variable unset: `${VAR:-default}` and `${VAR-default}` give the default. */
function interpolate(value: string, where: string, problems: Problems): string {
  return value.replace(/\$(?:\$|\{([^}]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (match, braced: string | undefined) => {
    if (match === '$$') return '$'
    const withDefault = braced === undefined ? null : /^[A-Za-z_][A-Za-z0-9_]*:?-(.*)$/s.exec(braced)
    if (withDefault) return withDefault[1]!
    problems.push(`${where}: ${match} has no default; write \${VAR:-default} so the stack starts without a .env`)
    return ''
  })
}

function interpolateAll(node: unknown, where: string, problems: Problems): unknown {
  if (typeof node === 'string') return interpolate(node, where, problems)
  if (Array.isArray(node)) return node.map((item, i) => interpolateAll(item, `${where}[${i}]`, problems))
  if (node !== null && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, interpolateAll(v, `${where}.${k}`, problems)]))
  }
  return node
}

/** A service's environment as the container sees it (values are strings; YAML numbers are converted). */
function environmentOf(service: ComposeService, where: string, problems: Problems): Record<string, string> {
  const env: Record<string, string> = {}
  const set = (key: string, value: unknown) => {
    if (value === null || value === undefined) problems.push(`${where}: ${key} has no value (it would be copied from the host)`)
    else if (typeof value === 'object') problems.push(`${where}: ${key} is not a scalar`)
    else env[key] = String(value)
  }
  const environment = service.environment
  if (Array.isArray(environment)) {
    for (const entry of environment) {
      const text = String(entry)
      const eq = text.indexOf('=')
      if (eq < 0) set(text, null)
      else set(text.slice(0, eq), text.slice(eq + 1))
    }
  } else if (environment !== null && typeof environment === 'object') {
    for (const [key, value] of Object.entries(environment)) set(key, value)
  }
  return env
}

// ---------------------------------------------------------------------------------------------------------
// Environment against the zod schemas

function checkEnvironment(name: string, service: ComposeService, schema: EnvSchema): Problems {
  const problems: Problems = []
  const env = environmentOf(service, `${name}.environment`, problems)
  const keys = Object.keys(schema.shape)
  for (const key of Object.keys(env)) {
    if (!keys.includes(key)) problems.push(`${name}: ${key} is set but the schema has no such key (typo or dead variable)`)
  }
  for (const key of keys) {
    const required = !schema.shape[key]!.safeParse(undefined).success
    if (required && !(key in env)) problems.push(`${name}: ${key} is required by the schema but not set`)
  }
  const parsed = schema.safeParse(env)
  if (!parsed.success) {
    for (const issue of parsed.error?.issues ?? []) problems.push(`${name}: ${issue.path.map(String).join('.')}: ${issue.message}`)
    return problems
  }
  // The healthcheck and the published port must follow the port the service actually listens on.
  const port = (parsed.data as Record<string, unknown>).HTTP_PORT
  if (port !== undefined) {
    const test = service.healthcheck?.test
    const testText = Array.isArray(test) ? test.join(' ') : String(test ?? '')
    if (!testText.includes(`:${port}/health/ready`)) problems.push(`${name}: healthcheck does not probe :${port}/health/ready`)
    if (!containerPorts(service).includes(Number(port))) problems.push(`${name}: HTTP_PORT ${port} is not published in ports`)
  }
  return problems
}

function containerPorts(service: ComposeService): number[] {
  const ports = Array.isArray(service.ports) ? service.ports : []
  return ports.map(p => {
    if (p !== null && typeof p === 'object') return Number((p as { target?: unknown }).target)
    const last = String(p).split(':').pop() ?? ''
    return Number(last.split('/')[0])
  })
}

/** Passwords and secrets must come from a variable the operator can override, never a literal. */
function checkSecretsOverridable(raw: Compose): Problems {
  const problems: Problems = []
  for (const [name, service] of Object.entries(raw.services)) {
    const env = environmentOf(service, `${name}.environment`, [])
    for (const [key, value] of Object.entries(env)) {
      if (!/PASSWORD|SECRET/.test(key) && !(key === 'DATABASE_URL' && value.includes('@'))) continue
      if (!/\$\{ANXIN_[A-Z0-9_]+:-[^}]*\}/.test(value)) problems.push(`${name}: ${key} must come from an \${ANXIN_...:-demo-default} variable`)
    }
  }
  return problems
}

// ---------------------------------------------------------------------------------------------------------
// Services, dependencies, images

const DEPENDENCY_CONDITIONS = ['service_started', 'service_healthy', 'service_completed_successfully']

function checkDependsOn(compose: Compose): Problems {
  const problems: Problems = []
  for (const [name, service] of Object.entries(compose.services)) {
    const dependsOn = service.depends_on
    if (dependsOn === undefined) continue
    const entries: [string, unknown][] = Array.isArray(dependsOn)
      ? dependsOn.map(d => [String(d), undefined])
      : Object.entries((dependsOn ?? {}) as Record<string, { condition?: unknown } | null>).map(([k, v]) => [k, v?.condition])
    for (const [target, condition] of entries) {
      const other = compose.services[target]
      if (!other) {
        problems.push(`${name}: depends_on ${target}, which is not a service`)
        continue
      }
      if (condition !== undefined && !DEPENDENCY_CONDITIONS.includes(String(condition))) problems.push(`${name}: unknown condition ${String(condition)}`)
      if (condition === 'service_healthy' && !other.healthcheck) problems.push(`${name}: waits for ${target} to be healthy, but it has no healthcheck`)
      if (condition === 'service_completed_successfully' && other.restart !== 'no') {
        problems.push(`${name}: waits for ${target} to complete, but ${target} is not restart: "no"`)
      }
    }
  }
  return problems
}

/** `repo[:tag][@digest]`: a tag (or digest) is required, and it must not be `latest`. */
function imageProblem(image: string): string | null {
  const match = /^([a-z0-9][a-z0-9._/-]*(?::\d+\/[a-z0-9._/-]+)?)(?::([A-Za-z0-9_][A-Za-z0-9_.-]*))?(@sha256:[a-f0-9]{64})?$/.exec(image)
  if (!match) return `image ${image} is not a plain repo:tag reference`
  if (!match[2] && !match[3]) return `image ${image} has no tag`
  if (match[2] === 'latest') return `image ${image} uses the latest tag`
  return null
}

function checkImages(compose: Compose): Problems {
  const problems: Problems = []
  for (const [name, service] of Object.entries(compose.services)) {
    if (service.image === undefined && service.build === undefined) problems.push(`${name}: neither image nor build`)
    if (service.image === undefined) continue
    const problem = imageProblem(String(service.image))
    if (problem) problems.push(`${name}: ${problem}`)
  }
  return problems
}

const majorMinor = (version: string): string => version.split('.').slice(0, 2).join('.')

function checkKafkaVersion(compose: Compose, pom: string): Problems {
  const pinned = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom)?.[1]
  if (!pinned) return ['infra/kafka/pom.xml: no <kafka.version>']
  const image = compose.services.kafka?.image
  if (typeof image !== 'string') return ['kafka: no kafka service with an image']
  const [repo, tag = ''] = image.split(':')
  if (repo !== 'apache/kafka') return [`kafka: image ${image} is not apache/kafka`]
  if (majorMinor(tag) !== majorMinor(pinned)) return [`kafka: image ${image} is not the ${majorMinor(pinned)} line pinned in infra/kafka/pom.xml (${pinned})`]
  return []
}

function checkNamedVolumes(compose: Compose): Problems {
  const problems: Problems = []
  const declared = Object.keys(compose.volumes ?? {})
  for (const [name, service] of Object.entries(compose.services)) {
    for (const volume of Array.isArray(service.volumes) ? service.volumes : []) {
      const source = typeof volume === 'string' ? volume.split(':')[0]! : String((volume as { source?: unknown }).source ?? '')
      if (/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(source) && !declared.includes(source)) problems.push(`${name}: volume ${source} is not declared`)
    }
  }
  return problems
}

// ---------------------------------------------------------------------------------------------------------
// Dockerfiles against the workspace

type Instruction = { keyword: string; args: string; line: number }

function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = []
  let buffer = ''
  let start = 0
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trimEnd()
    if (/^\s*#/.test(line) || (buffer === '' && line.trim() === '')) return
    if (buffer === '') start = i + 1
    if (line.endsWith('\\')) {
      buffer += `${line.slice(0, -1)} `
      return
    }
    buffer += line
    const match = /^\s*(\S+)\s*([\s\S]*)$/.exec(buffer)
    if (match) instructions.push({ keyword: match[1]!.toUpperCase(), args: match[2]!.trim(), line: start })
    buffer = ''
  })
  return instructions
}

const tokens = (args: string): string[] => (args.startsWith('[') ? (JSON.parse(args) as string[]) : args.split(/\s+/).filter(Boolean))

/** The TypeScript file a `node ...` command runs. */
function entryOf(command: string[]): string | null {
  if (command[0] !== 'node') return null
  return command.slice(1).find(arg => !arg.startsWith('-')) ?? null
}

function normalizeCommand(command: unknown): string[] | null {
  if (command === undefined || command === null) return null
  return Array.isArray(command) ? command.map(String) : String(command).split(/\s+/).filter(Boolean)
}

type Workspace = Map<string, { dir: string; dependencies: string[] }>

/** Workspace packages by name, with their production dependencies on other workspace packages. */
function readWorkspace(): Workspace {
  const config = parse(readRepoFile('pnpm-workspace.yaml') ?? '') as { packages?: string[] }
  const dirs: string[] = []
  for (const pattern of config.packages ?? []) {
    if (pattern.endsWith('/*')) {
      const parent = pattern.slice(0, -2)
      if (exists(parent)) dirs.push(...readdirSync(join(ROOT, parent)).map(d => `${parent}/${d}`))
    } else dirs.push(pattern)
  }
  const workspace: Workspace = new Map()
  for (const dir of dirs) {
    const manifest = readRepoFile(`${dir}/package.json`)
    if (manifest === null) continue
    const pkg = JSON.parse(manifest) as { name: string; dependencies?: Record<string, string> }
    const dependencies = Object.entries(pkg.dependencies ?? {}).filter(([, spec]) => spec.startsWith('workspace:')).map(([n]) => n)
    workspace.set(pkg.name, { dir, dependencies })
  }
  return workspace
}

function workspaceClosure(workspace: Workspace, name: string): string[] {
  const seen = new Set<string>()
  const visit = (n: string) => {
    if (seen.has(n)) return
    seen.add(n)
    for (const dep of workspace.get(n)?.dependencies ?? []) visit(dep)
  }
  visit(name)
  return [...seen]
}

/** The workspace package whose directory holds `file`. */
function owningPackage(workspace: Workspace, file: string): string | null {
  let best: { name: string; dir: string } | null = null
  for (const [name, { dir }] of workspace) {
    if (file.startsWith(`${dir}/`) && (!best || dir.length > best.dir.length)) best = { name, dir }
  }
  return best?.name ?? null
}

const PINNED_PNPM = (JSON.parse(readRepoFile('package.json') ?? '{}') as { packageManager?: string }).packageManager
const TOOLCHAIN_NODE = /^NODE_VERSION="([^"]+)"/m.exec(readRepoFile('infra/run') ?? '')?.[1]

/** Checks one service built from a Dockerfile; `read` returns a repo file's text (tests substitute files). */
function checkBuild(name: string, service: ComposeService, workspace: Workspace, read: (path: string) => string | null): { problems: Problems; entry: string | null } {
  const problems: Problems = []
  const build = service.build
  const context = typeof build === 'string' ? build : String((build as { context?: unknown }).context ?? '.')
  const dockerfileName = typeof build === 'string' ? 'Dockerfile' : String((build as { dockerfile?: unknown }).dockerfile ?? 'Dockerfile')
  const inContext = (path: string) => posix.normalize(posix.join(context, path))
  const dockerfile = inContext(dockerfileName)
  const text = read(dockerfile)
  if (text === null) return { problems: [`${name}: ${dockerfile} does not exist`], entry: null }
  const where = (i: Instruction) => `${name}: ${dockerfile}:${i.line}`
  const instructions = parseDockerfile(text)

  const copiedBeforeInstall: string[] = []
  const copied: string[] = []
  let installed = false
  let installFilter: string | null = null
  let cmd: string[] | null = null
  for (const instruction of instructions) {
    const args = tokens(instruction.args)
    if (instruction.keyword === 'FROM') {
      // Each stage starts afresh; what is checked is the last stage, the image that runs (an earlier stage
      // may build assets it copies with --from).
      copiedBeforeInstall.length = 0
      copied.length = 0
      installed = false
      installFilter = null
      const image = args.find(a => !a.startsWith('--')) ?? ''
      const problem = imageProblem(image)
      if (problem) problems.push(`${where(instruction)}: ${problem}`)
      const nodeTag = /^node:(\d+\.\d+|\d+)[.-]/.exec(`${image}-`)?.[1]
      if (image.startsWith('node:') && TOOLCHAIN_NODE && nodeTag !== majorMinor(TOOLCHAIN_NODE)) {
        problems.push(`${where(instruction)}: ${image} is not Node ${majorMinor(TOOLCHAIN_NODE)}, the version infra/run tests with`)
      }
    } else if (instruction.keyword === 'COPY' || instruction.keyword === 'ADD') {
      if (args.some(a => a.startsWith('--from'))) continue
      const paths = args.filter(a => !a.startsWith('--'))
      const dest = paths.pop() ?? ''
      for (const source of paths) {
        const path = posix.normalize(source)
        if (!exists(inContext(path))) problems.push(`${where(instruction)}: COPY source ${source} does not exist`)
        // The image mirrors the repository's layout under WORKDIR, which the workspace links rely on.
        const isDir = exists(inContext(path)) && statSync(join(ROOT, inContext(path))).isDirectory()
        const target = posix.normalize(isDir || !dest.endsWith('/') ? dest : `${dest}${posix.basename(path)}`)
        if (target !== path) problems.push(`${where(instruction)}: ${source} is copied to ${dest}, not to the same path`)
        ;(installed ? copied : copiedBeforeInstall).push(path)
      }
    } else if (instruction.keyword === 'RUN') {
      const pnpmVersion = /corepack prepare (pnpm@\S+)/.exec(instruction.args)?.[1]
      if (pnpmVersion && pnpmVersion !== PINNED_PNPM) problems.push(`${where(instruction)}: ${pnpmVersion} is not ${PINNED_PNPM} (root package.json)`)
      if (/\bpnpm install\b/.test(instruction.args)) {
        installed = true
        if (!instruction.args.includes('--frozen-lockfile')) problems.push(`${where(instruction)}: pnpm install without --frozen-lockfile`)
        installFilter = /--filter[= ](\S+?)\.\.\.(\s|$)/.exec(instruction.args)?.[1] ?? null
        if (!installFilter) problems.push(`${where(instruction)}: pnpm install has no --filter <package>...`)
      }
    } else if (instruction.keyword === 'CMD') {
      cmd = args
    }
  }

  // The image's CMD and compose's own `command` (which wins when given) must run a file of the repository.
  const runs = (command: string[], what: string): string | null => {
    const file = entryOf(command)
    if (!file) problems.push(`${name}: ${what} ${command.join(' ')} does not run a file with node`)
    else if (!exists(file)) problems.push(`${name}: ${what} runs ${file}, which does not exist`)
    return file
  }
  if (!cmd) problems.push(`${name}: ${dockerfile} has no CMD`)
  const imageEntry = cmd ? runs(cmd, `${dockerfile} CMD`) : null
  const composeCommand = normalizeCommand(service.command)
  const entry = composeCommand ? runs(composeCommand, 'command') : imageEntry

  // pnpm needs the root manifests and the manifest of every workspace package in the closure before install.
  if (!installed) problems.push(`${name}: ${dockerfile} never runs pnpm install`)
  for (const file of ['package.json', 'pnpm-lock.yaml', 'pnpm-workspace.yaml']) {
    if (!copiedBeforeInstall.includes(file)) problems.push(`${name}: ${file} is not copied before pnpm install`)
  }
  const owner = entry ? owningPackage(workspace, entry) : null
  if (installFilter && owner && installFilter !== owner) problems.push(`${name}: pnpm installs for ${installFilter} but the command runs ${owner}`)
  if (owner) {
    for (const pkg of workspaceClosure(workspace, owner)) {
      const dir = workspace.get(pkg)!.dir
      if (!copiedBeforeInstall.includes(`${dir}/package.json`)) problems.push(`${name}: ${dir}/package.json (${pkg}) is not copied before pnpm install`)
      if (!copied.some(p => p.startsWith(`${dir}/`) && p !== `${dir}/package.json`)) problems.push(`${name}: no sources of ${pkg} (${dir}) are copied`)
    }
  }
  return { problems, entry }
}

/** Every directory under services/ with a src/main.ts must run in compose, built from a Dockerfile. */
function checkEveryServiceComposed(compose: Compose, workspace: Workspace, read: (path: string) => string | null): Problems {
  const entries = new Set<string>()
  for (const [name, service] of Object.entries(compose.services)) {
    if (service.build === undefined) continue
    const { entry } = checkBuild(name, service, workspace, read)
    if (entry) entries.add(entry)
  }
  return readdirSync(join(ROOT, 'services'))
    .filter(dir => exists(`services/${dir}/src/main.ts`))
    .filter(dir => !entries.has(`services/${dir}/src/main.ts`))
    .map(dir => `services/${dir} has a src/main.ts but no compose service built to run it`)
}

function checkAllBuilds(compose: Compose, workspace: Workspace, read: (path: string) => string | null): Problems {
  return Object.entries(compose.services)
    .filter(([, service]) => service.build !== undefined)
    .flatMap(([name, service]) => checkBuild(name, service, workspace, read).problems)
}

function checkSchemaServices(compose: Compose): Problems {
  return Object.entries(ENV_SCHEMAS).flatMap(([name, schema]) => {
    const service = compose.services[name]
    return service ? checkEnvironment(name, service, schema) : [`${name}: missing from ${COMPOSE_FILE}`]
  })
}

// ---------------------------------------------------------------------------------------------------------

const composeText = readFileSync(join(ROOT, COMPOSE_FILE), 'utf8')
const raw = parseCompose(composeText)
const interpolationProblems: Problems = []
const compose = interpolateAll(raw, 'compose', interpolationProblems) as Compose
const workspace = readWorkspace()
const pom = readRepoFile('infra/kafka/pom.xml') ?? ''

t.test('every ${VAR} in the compose file has a default', async t => {
  t.same(interpolationProblems, [])
})

t.test('service environments match the zod schemas (no unknown keys, every required key, values parse)', async t => {
  t.same(checkSchemaServices(compose), [])
})

t.test('secrets come from overridable variables', async t => {
  t.same(checkSecretsOverridable(raw), [])
})

t.test('depends_on names defined services with matching conditions', async t => {
  t.same(checkDependsOn(compose), [])
})

t.test('images are pinned; kafka follows infra/kafka/pom.xml', async t => {
  t.same(checkImages(compose), [])
  t.same(checkKafkaVersion(compose, pom), [])
  t.same(checkNamedVolumes(compose), [])
})

t.test('Dockerfiles: files exist, manifests of the workspace closure are copied, command runs a repo file', async t => {
  t.same(checkAllBuilds(compose, workspace, readRepoFile), [])
})

t.test('every services/* with a src/main.ts is built and run by compose', async t => {
  t.same(checkEveryServiceComposed(compose, workspace, readRepoFile), [])
})

t.test('each check fails on a broken input', async t => {
  const broken = (edit: (c: Compose) => void): Compose => {
    const copy = structuredClone(compose)
    edit(copy)
    return copy
  }
  const env = (c: Compose, name: string) => c.services[name]!.environment as Record<string, unknown>
  const fails = (problems: Problems, pattern: RegExp, what: string) => t.match(problems.join('\n'), pattern, what)

  const undefaulted: Problems = []
  interpolateAll({ a: '${ANXIN_X}', b: '$ANXIN_Y', c: '${ANXIN_Z:-ok} $$HOME' }, 'x', undefaulted)
  t.equal(undefaulted.length, 2, 'a variable without default is reported')

  fails(checkSchemaServices(broken(c => (env(c, 'ingestion').MQTT_PASWORD = 'x'))), /MQTT_PASWORD is set but the schema has no such key/, 'typo')
  fails(checkSchemaServices(broken(c => delete env(c, 'recorder').DATABASE_URL)), /recorder: DATABASE_URL is required/, 'missing required key')
  fails(checkSchemaServices(broken(c => (env(c, 'init').MQTT_INGESTION_PASSWORD = 'short'))), /init: MQTT_INGESTION_PASSWORD: /, 'value the schema refuses')
  fails(checkSchemaServices(broken(c => (env(c, 'ingestion').INGESTION_INSTANCE_ID = 'no spaces'))), /INGESTION_INSTANCE_ID: /, 'regex refused')
  fails(checkSchemaServices(broken(c => (env(c, 'recorder').HTTP_PORT = '9999'))), /recorder: healthcheck does not probe :9999/, 'port drift')
  fails(checkSchemaServices(broken(c => delete c.services.init)), /init: missing/, 'schema service removed')
  const literalSecret = structuredClone(raw)
  ;(literalSecret.services.init!.environment as Record<string, unknown>).DEMO_FLEET_SECRET = 'hard-coded-secret'
  fails(checkSecretsOverridable(literalSecret), /init: DEMO_FLEET_SECRET must come from/, 'literal secret')

  fails(checkDependsOn(broken(c => (c.services.recorder!.depends_on = { kafak: { condition: 'service_healthy' } }))), /depends_on kafak/, 'unknown dependency')
  fails(checkDependsOn(broken(c => delete c.services.redis!.healthcheck)), /waits for redis to be healthy/, 'healthy without healthcheck')

  fails(checkImages(broken(c => (c.services.redis!.image = 'redis:latest'))), /latest tag/, 'latest')
  fails(checkImages(broken(c => (c.services.redis!.image = 'redis'))), /has no tag/, 'untagged')
  fails(checkKafkaVersion(broken(c => (c.services.kafka!.image = 'apache/kafka:4.1.0')), pom), /is not the \d+\.\d+ line pinned/, 'kafka 4')
  fails(checkNamedVolumes(broken(c => delete c.volumes!['kafka-data'])), /volume kafka-data is not declared/, 'undeclared volume')

  const ingestionDockerfile = readRepoFile('services/ingestion/Dockerfile') ?? ''
  const withDockerfile = (text: string) => (path: string) => (path === 'services/ingestion/Dockerfile' ? text : readRepoFile(path))
  const buildProblems = (text: string) => checkAllBuilds(compose, workspace, withDockerfile(text))
  fails(buildProblems(ingestionDockerfile.replace('services/ingestion/src/main.ts', 'services/ingestion/src/mian.ts')), /mian\.ts, which does not exist/, 'CMD entry missing')
  fails(buildProblems(ingestionDockerfile.replace('COPY packages/mqtt/package.json packages/mqtt/\n', '')), /packages\/mqtt\/package\.json \(@anxin\/mqtt\) is not copied/, 'manifest of a dependency not copied')
  fails(buildProblems(ingestionDockerfile.replace('packages/mqtt/package.json', 'packages/mqttt/package.json')), /COPY source packages\/mqttt\/package\.json does not exist/, 'COPY of a missing manifest')
  fails(buildProblems(ingestionDockerfile.replace('packages/mqtt/package.json packages/mqtt/', 'packages/mqtt/package.json packages/kafka/')), /copied to packages\/kafka\/, not to the same path/, 'manifest in the wrong place')
  fails(buildProblems(ingestionDockerfile.replace('COPY packages/mqtt/src packages/mqtt/src\n', '')), /no sources of @anxin\/mqtt/, 'sources not copied')
  fails(buildProblems(ingestionDockerfile.replace('--filter @anxin/ingestion...', '--filter @anxin/recorder...')), /installs for @anxin\/recorder/, 'wrong filter')
  fails(buildProblems(ingestionDockerfile.replace(/^FROM node:\S+/m, 'FROM node:22-bookworm-slim')), /is not Node \d+\.\d+/, 'Node version drift')
  fails(buildProblems(ingestionDockerfile.replace(/pnpm@[\d.]+/, 'pnpm@9.0.0')), /pnpm@9\.0\.0 is not/, 'pnpm version drift')
  fails(checkAllBuilds(broken(c => (c.services.recorder!.build = { context: '.', dockerfile: 'services/recorder/Dockerfil' })), workspace, readRepoFile), /Dockerfil does not exist/, 'Dockerfile missing')
  fails(checkAllBuilds(broken(c => (c.services.init!.command = ['node', 'infra/cli/inti.ts'])), workspace, readRepoFile), /inti\.ts, which does not exist/, 'command entry missing')
  fails(checkEveryServiceComposed(broken(c => delete c.services.recorder), workspace, readRepoFile), /services\/recorder has a src\/main\.ts but no compose service/, 'service not composed')
})

t.test('every built service has its environment schema checked here', async t => {
  const built = Object.entries(compose.services ?? {}).filter(([, service]) => (service as ComposeService).build !== undefined).map(([name]) => name)
  t.same(built.filter(name => !(name in ENV_SCHEMAS)), [], 'add the service\'s zod schema to ENV_SCHEMAS')
})
