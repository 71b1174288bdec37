import t from 'tap'
import { consoleApp } from './console-app.ts'

t.test('the OpenAPI document describes exactly the API routes, with their parameters and permissions', async t => {
  const c = await consoleApp(t)
  const response = await c.app.inject({ method: 'GET', url: '/api/openapi.json' })
  t.equal(response.statusCode, 200)
  const doc = response.json() as { openapi: string; paths: Record<string, Record<string, { 'x-permission': unknown; parameters: Array<{ name: string; in: string }>; requestBody?: unknown; responses: Record<string, unknown> }>> }
  t.equal(doc.openapi, '3.1.0')

  const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map(m => `${m.toUpperCase()} ${path}`))
  const registered = c.service.routes
    .filter(r => r.split(' ')[1]!.startsWith('/api/') && r !== 'GET /api/openapi.json')
    .map(r => r.replace(/:([A-Za-z0-9_]+)/g, '{$1}'))
  t.same([...documented].sort(), [...registered].sort(), 'every registered /api route is documented and every documented one exists')

  for (const [path, ops] of Object.entries(doc.paths)) {
    const pathParams = [...path.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map(m => m[1])
    for (const [method, op] of Object.entries(ops)) {
      t.same(op.parameters.filter(p => p.in === 'path').map(p => p.name).sort(), [...pathParams].sort(), `${method} ${path}: path parameters documented`)
      t.ok(op['x-permission'], `${method} ${path}: names who may call it`)
      if (['post', 'put', 'patch'].includes(method) && path !== '/api/alarms/{alarmId}/tasks') t.ok(op.requestBody, `${method} ${path}: request body documented`)
      t.ok(Object.keys(op.responses).some(s => s.startsWith('2')), `${method} ${path}: success documented`)
    }
  }
  const list = doc.paths['/api/alarms']!.get!
  t.same(list.parameters.map(p => p.name).sort(), ['areaId', 'cursor', 'from', 'limit', 'residentId', 'severity', 'to', 'type', 'view'], 'query parameters come from the validating schema')
})
