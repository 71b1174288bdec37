// Builds the console's web UI into dist/ (served by the console server) and, in development, forwards /api
// (the JSON routes and the SSE live feed) to a locally running console server.
import { defineConfig } from 'vite'
import preact from '@preact/preset-vite'

const API_TARGET = 'http://127.0.0.1:8086'

export default defineConfig({
  base: '/',
  plugins: [preact()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: {
    proxy: {
      '/api': {
        target: API_TARGET,
        changeOrigin: false,
        // Server-Sent Events: never buffer or time out the long-lived /api/feed response.
        timeout: 0,
        proxyTimeout: 0,
        configure: (proxy) => {
          proxy.on('proxyRes', (res) => {
            if (String(res.headers['content-type'] ?? '').startsWith('text/event-stream')) {
              res.headers['cache-control'] = 'no-cache, no-transform'
              res.headers['x-accel-buffering'] = 'no'
            }
          })
        },
      },
    },
  },
})
