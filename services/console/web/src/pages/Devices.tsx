// Devices: who wears what, whether it is online, charged and worn; a device's binding history, and for
// administrators its model, firmware and supervision interval.
import { useState } from 'preact/hooks'
import { api, enc } from '../api/client.ts'
import { DEVICE_TYPES, type DeviceDetail, type DeviceSummary, type Page } from '../api/types.ts'
import { ErrorBox, Facts, Loading, Section, errorText } from '../components/common.tsx'
import { PagedTable } from '../components/PagedTable.tsx'
import { DeviceLifecycle, ProvisionForm } from '../components/DeviceLifecycle.tsx'
import { Battery, OnlineBadge, WornText } from '../components/DeviceTable.tsx'
import { useI18n } from '../i18n/i18n.tsx'
import { useLoad } from '../lib/async.ts'
import { dateTime } from '../lib/format.ts'
import { useCursorPages } from '../lib/paging.ts'
import { can } from '../lib/permissions.ts'
import { href, navigate } from '../lib/router.ts'
import { useSession } from '../lib/session.tsx'

export function DevicesPage() {
  const tr = useI18n()
  const { t, tc } = tr
  const [q, setQ] = useState('')
  const [query, setQuery] = useState('')
  const [status, setStatus] = useState('')
  const [type, setType] = useState('')
  const pages = useCursorPages()
  const session = useSession()
  const [provisioning, setProvisioning] = useState(false)
  const mayWrite = can(session.user.role, 'devices.write')
  const list = useLoad(
    () => api.get<Page<DeviceSummary>>('/api/devices', { q: query, status, type, limit: 50, cursor: pages.cursor }),
    [query, status, type, pages.cursor],
  )
  return (
    <div>
      <div class="page-head">
        <h1>{t('device.title')}</h1>
        {mayWrite && (
          <button type="button" class="btn btn-primary" aria-expanded={provisioning} data-testid="device-provision-toggle" onClick={() => setProvisioning(!provisioning)}>
            {provisioning ? t('app.close') : `+ ${t('deviceLife.provision')}`}
          </button>
        )}
      </div>
      {provisioning && <ProvisionForm onDone={list.reload} />}
      <form class="filters" role="search" onSubmit={(e) => { e.preventDefault(); pages.reset(); setQuery(q.trim()) }}>
        <label>
          {t('app.search')}
          <input type="search" value={q} placeholder={t('device.search')} onInput={(e) => setQ(e.currentTarget.value)} data-testid="device-search" />
        </label>
        <label>
          {t('device.status')}
          <select value={status} onChange={(e) => { pages.reset(); setStatus(e.currentTarget.value) }} data-testid="device-filter-status">
            <option value="">{t('app.all')}</option>
            <option value="online">{t('device.online')}</option>
            <option value="offline">{t('device.offline')}</option>
            <option value="revoked">{t('device.revoked')}</option>
          </select>
        </label>
        <label>
          {t('device.type')}
          <select value={type} onChange={(e) => { pages.reset(); setType(e.currentTarget.value) }} data-testid="device-filter-type">
            <option value="">{t('app.all')}</option>
            {DEVICE_TYPES.map((x) => <option key={x} value={x}>{tc('deviceType', x)}</option>)}
          </select>
        </label>
        <button type="submit" class="btn btn-primary">{t('app.search')}</button>
      </form>
      <PagedTable list={list} pages={pages} testid="device-list"
        columns={[t('device.id'), t('device.type'), t('device.model'), t('device.status'), t('device.battery'), t('device.worn'), t('device.lastSeen'), t('device.wearer')]}
        empty={t('device.empty')}
        row={(d) => (
          <tr key={d.id} class="clickable" data-testid="device-row" data-device-id={d.id} data-online={String(d.online)} tabIndex={0}
            onClick={() => navigate(href('devices', d.id))}
            onKeyDown={(e) => { if (e.key === 'Enter') navigate(href('devices', d.id)) }}>
            <td class="mono"><a href={href('devices', d.id)} onClick={(e) => e.stopPropagation()}>{d.id}</a></td>
            <td>{tc('deviceType', d.type)}</td>
            <td class="small">{d.model}</td>
            <td><OnlineBadge device={d} />{d.testMode === true && <span class="badge badge-warn" data-testid="device-test-badge">{t('deviceLife.testBadge')}</span>}</td>
            <td><Battery level={d.battery} /></td>
            <td><WornText worn={d.worn} /></td>
            <td class="small">{d.lastSeenAt ? dateTime(d.lastSeenAt, tr.lang) : t('device.never')}</td>
            <td>{d.residentId ? <a href={href('residents', d.residentId)} onClick={(e) => e.stopPropagation()}>{d.residentName ?? d.residentId}</a> : '—'}</td>
          </tr>
        )} />
    </div>
  )
}

export function DeviceDetailPage({ id }: { id: string }) {
  const tr = useI18n()
  const { t, tc } = tr
  const session = useSession()
  const device = useLoad(() => api.get<DeviceDetail>(`/api/devices/${enc(id)}`), [id])
  const mayEdit = can(session.user.role, 'devices.write')
  if (device.data === null) return device.error !== null ? <ErrorBox error={device.error} onRetry={device.reload} /> : <Loading />
  const d = device.data
  return (
    <div class="detail" data-testid="device-detail" data-device-id={d.id}>
      <div class="page-head">
        <a href="#/devices" class="btn btn-small">‹ {t('app.back')}</a>
        <h1 class="mono">{d.id}</h1>
        <OnlineBadge device={d} />
        {d.testMode === true && <span class="badge badge-warn" data-testid="device-test-badge">{t('deviceLife.testBadge')}</span>}
      </div>
      <div class="detail-grid">
        <div class="col">
          <Section title={t('device.title')}>
            <Facts rows={[
              [t('device.type'), tc('deviceType', d.type)],
              [t('device.model'), d.model],
              [t('device.firmware'), d.firmware],
              [t('device.status'), d.status === 'revoked' ? t('device.revoked') : t('device.active')],
              [t('device.battery'), <Battery level={d.battery} />],
              [t('device.worn'), <WornText worn={d.worn} />],
              [t('device.lastSeen'), d.lastSeenAt ? dateTime(d.lastSeenAt, tr.lang) : t('device.never')],
              [t('device.supervision'), d.supervisionIntervalS],
              [t('deviceLife.testMode'), d.testMode === true ? t('app.yes') : t('app.no')],
              [t('device.wearer'), d.residentId ? <a href={href('residents', d.residentId)}>{d.residentName ?? d.residentId}</a> : '—'],
            ]} />
          </Section>
          {mayEdit && <DeviceLifecycle device={d} onChanged={(next) => { if (next !== null) device.setData(next); device.reload() }} />}
          {mayEdit && <DeviceEditForm device={d} onSaved={device.reload} />}
        </div>
        <div class="col">
          <Section title={t('device.bindings')} testid="device-bindings">
            {d.bindings.length === 0 ? <div class="muted">{t('app.noData')}</div> : (
              <table class="table compact">
                <thead><tr><th>{t('device.wearer')}</th><th>{t('device.boundAt')}</th><th>{t('device.unboundAt')}</th></tr></thead>
                <tbody>
                  {d.bindings.map((b) => (
                    <tr key={`${b.residentId}-${b.boundAt}`}>
                      <td><a href={href('residents', b.residentId)}>{b.residentName}</a></td>
                      <td class="small">{dateTime(b.boundAt, tr.lang)}</td>
                      <td class="small">{b.unboundAt ? dateTime(b.unboundAt, tr.lang) : <span class="badge badge-good">{t('device.current')}</span>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Section>
        </div>
      </div>
    </div>
  )
}

function DeviceEditForm({ device, onSaved }: { device: DeviceDetail; onSaved: () => void }) {
  const tr = useI18n()
  const { t } = tr
  const [model, setModel] = useState(device.model)
  const [firmware, setFirmware] = useState(device.firmware)
  const [intervalS, setIntervalS] = useState(String(device.supervisionIntervalS))
  const [busy, setBusy] = useState(false)
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null)
  const submit = (e: Event): void => {
    e.preventDefault()
    const body: Record<string, unknown> = {}
    if (model.trim() !== device.model) body.model = model.trim()
    if (firmware.trim() !== device.firmware) body.firmware = firmware.trim()
    if (Number(intervalS) !== device.supervisionIntervalS) body.supervisionIntervalS = Number(intervalS)
    if (Object.keys(body).length === 0) {
      setMessage({ ok: false, text: t('resident.noChanges') })
      return
    }
    setBusy(true)
    api.patch(`/api/devices/${enc(device.id)}`, body).then(
      () => { setBusy(false); setMessage({ ok: true, text: t('app.saved') }); onSaved() },
      (err: unknown) => { setBusy(false); setMessage({ ok: false, text: errorText(tr, err) }) },
    )
  }
  return (
    <form class="card edit-form" onSubmit={submit} data-testid="device-edit-form">
      <h2>{t('app.edit')}</h2>
      {message && <div class={`notice ${message.ok ? 'notice-ok' : 'notice-error'}`} role="status">{message.text}</div>}
      <div class="form-grid">
        <label class="field"><span>{t('device.model')}</span><input value={model} onInput={(e) => setModel(e.currentTarget.value)} data-testid="device-field-model" /></label>
        <label class="field"><span>{t('device.firmware')}</span><input value={firmware} onInput={(e) => setFirmware(e.currentTarget.value)} data-testid="device-field-firmware" /></label>
        <label class="field"><span>{t('device.supervision')}</span><input type="number" min={1} step={1} value={intervalS} onInput={(e) => setIntervalS(e.currentTarget.value)} data-testid="device-field-supervision" /></label>
      </div>
      <div class="form-buttons">
        <button type="submit" class="btn btn-primary" disabled={busy} data-testid="device-save">{t('app.save')}</button>
      </div>
    </form>
  )
}
