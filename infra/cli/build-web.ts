import { createLogger } from '@anxin/logging'
import { buildWebUi } from '../stack/web-ui.ts'

/** `pnpm build:web`: the console's web UI into services/console/web/dist (the tests and `pnpm start` run it). */
await buildWebUi(createLogger({ service: 'build-web' }))
