// A device's lifecycle for administrators (devices.write): provisioning with broker credentials shown once,
// binding to a resident and back, rotating the credentials, revoking them, and test mode. The password lives
// only in this component's state: it is never stored, and leaving the page forgets it.
import { useState } from 'preact/hooks'
import { api, enc } from '../api/client.ts'
import { DEVICE_TYPES, type DeviceCredentials, type DeviceDetail, type ProvisionAnswer } from '../api/types.ts'
import { useI18n } from '../i18n/i18n.tsx'
import { href } from '../lib/router.ts'
import { Section, errorText } from './common.tsx'
import { ResidentPicker } from './ResidentPicker.tsx'

type Message = { ok: boolean; text: string } | null

/** The credentials, once: a warning, the values, a copy button. */
export function CredentialsOnce({ deviceId, credentials, onDismiss }: { deviceId: string; credentials: DeviceCredentials; onDismiss: () => void }) {
  const tr = useI18n()
  const { t } = tr
  const [copied, setCopied] = useState<boolean | null>(null)
  const text = `mqttUrl=${credentials.mqttUrl}\nusername=${credentials.username}\npassword=${credentials.password}\n`
  const copy = (): void => {
    // No clipboard outside a secure context (plain http): say so, the values stay on screen to copy by hand.
    if (navigator.clipboard === undefined) {
      setCopied(false)
      return
    }
    navigator.clipboard.writeText(text).then(() => setCopied(true), () => setCopied(false))
  }
  return (
    <div class="card credentials" role="alert" data-testid="device-credentials" data-device-id={deviceId}>
      <div class="notice notice-warn-strong" data-testid="device-credentials-warning">{t('deviceLife.passwordOnce')}</div>
      <dl class="facts">
        <div class="fact"><dt>{t('deviceLife.mqttUrl')}</dt><dd class="mono" data-testid="device-credentials-url">{credentials.mqttUrl}</dd></div>
        <div class="fact"><dt>{t('deviceLife.username')}</dt><dd class="mono" data-testid="device-credentials-username">{credentials.username}</dd></div>
        <div class="fact"><dt>{t('login.password')}</dt><dd class="mono secret" data-testid="device-credentials-password">{credentials.password}</dd></div>
      </dl>
      <div class="form-buttons">
        <button type="button" class="btn btn-primary" data-testid="device-credentials-copy" onClick={copy}>{t('deviceLife.copy')}</button>
        {copied === true && <span class="good-text" role="status">{t('deviceLife.copied')}</span>}
        {copied === false && <span class="warn-text" role="status">{t('deviceLife.copyFailed')}</span>}
        <button type="button" class="btn" data-testid="device-credentials-dismiss" onClick={() => { if (window.confirm(t('deviceLife.dismissConfirm'))) onDismiss() }}>{t('deviceLife.dismiss')}</button>
      </div>
    </div>
  )
}

export function ProvisionForm({ onDone }: { onDone: () => void }) {
  const tr = useI18n()
  const { t, tc } = tr
  const [id, setId] = useState('')
  const [type, setType] = useState<string>('watch')
  const [model, setModel] = useState('')
  const [firmware, setFirmware] = useState('')
  const [intervalS, setIntervalS] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [made, setMade] = useState<ProvisionAnswer | null>(null)

  const submit = (e: Event): void => {
    e.preventDefault()
    const body: Record<string, unknown> = { id: id.trim(), type }
    if (model.trim() !== '') body.model = model.trim()
    if (firmware.trim() !== '') body.firmware = firmware.trim()
    if (intervalS.trim() !== '') body.supervisionIntervalS = Number(intervalS)
    setBusy(true)
    setError(null)
    api.post<ProvisionAnswer>('/api/devices', body).then(
      (answer) => { setBusy(false); setMade(answer); onDone() },
      (err: unknown) => { setBusy(false); setError(errorText(tr, err)) },
    )
  }

  if (made !== null) {
    return (
      <div data-testid="device-provisioned">
        <CredentialsOnce deviceId={made.device.id} credentials={made.credentials} onDismiss={() => { setMade(null); setId('') }} />
        <a class="btn" href={href('devices', made.device.id)} data-testid="device-provisioned-open">{t('deviceLife.openDevice')}</a>
      </div>
    )
  }
  return (
    <form class="card edit-form" onSubmit={submit} data-testid="device-provision-form">
      <h2>{t('deviceLife.provision')}</h2>
      {error !== null && <div class="notice notice-error" role="alert" data-testid="device-provision-error">{error}</div>}
      <div class="form-grid">
        <label class="field"><span>{t('device.id')}</span><input value={id} required onInput={(e) => setId(e.currentTarget.value)} data-testid="provision-id" /></label>
        <label class="field">
          <span>{t('device.type')}</span>
          <select value={type} onChange={(e) => setType(e.currentTarget.value)} data-testid="provision-type">
            {DEVICE_TYPES.map((x) => <option key={x} value={x}>{tc('deviceType', x)}</option>)}
          </select>
        </label>
        <label class="field"><span>{t('device.model')}</span><input value={model} onInput={(e) => setModel(e.currentTarget.value)} data-testid="provision-model" /></label>
        <label class="field"><span>{t('device.firmware')}</span><input value={firmware} onInput={(e) => setFirmware(e.currentTarget.value)} data-testid="provision-firmware" /></label>
        <label class="field"><span>{t('device.supervision')}</span><input type="number" min={1} step={1} value={intervalS} placeholder={t('deviceLife.defaultInterval')} onInput={(e) => setIntervalS(e.currentTarget.value)} data-testid="provision-supervision" /></label>
      </div>
      <div class="form-buttons">
        <button type="submit" class="btn btn-primary" disabled={busy} data-testid="provision-submit">{t('deviceLife.provision')}</button>
      </div>
    </form>
  )
}

/** Binding, credentials, revocation and test mode of one device. */
export function DeviceLifecycle({ device, onChanged }: { device: DeviceDetail; onChanged: (d: DeviceDetail | null) => void }) {
  const tr = useI18n()
  const { t } = tr
  const [message, setMessage] = useState<Message>(null)
  const [credentials, setCredentials] = useState<DeviceCredentials | null>(null)
  const [binding, setBinding] = useState(false)
  const [confirmRevoke, setConfirmRevoke] = useState(false)
  const [busy, setBusy] = useState(false)
  // The switch follows the click at once and goes back if the server refuses.
  const [testMode, setTestMode] = useState(device.testMode === true)
  const revoked = device.status === 'revoked'

  const act = (run: () => Promise<unknown>, after?: (answer: unknown) => void, undo?: () => void): void => {
    setBusy(true)
    setMessage(null)
    run().then(
      (answer) => {
        setBusy(false)
        setMessage({ ok: true, text: t('app.saved') })
        after?.(answer)
        const next = answer && typeof answer === 'object' && 'id' in answer ? (answer as DeviceDetail) : null
        onChanged(next)
      },
      (err: unknown) => { setBusy(false); undo?.(); setMessage({ ok: false, text: errorText(tr, err) }) },
    )
  }

  return (
    <Section title={t('deviceLife.title')} testid="device-lifecycle">
      {message && <div class={`notice ${message.ok ? 'notice-ok' : 'notice-error'}`} role="status" data-testid="device-lifecycle-message">{message.text}</div>}
      {credentials !== null && <CredentialsOnce deviceId={device.id} credentials={credentials} onDismiss={() => setCredentials(null)} />}

      <div class="lifecycle-row">
        <strong>{t('device.wearer')}:</strong>{' '}
        {device.residentId ? <a href={href('residents', device.residentId)}>{device.residentName ?? device.residentId}</a> : <span class="muted">{t('deviceLife.unbound')}</span>}
        {!revoked && device.residentId && (
          <button type="button" class="btn btn-small" disabled={busy} data-testid="device-unbind"
            onClick={() => { if (window.confirm(t('deviceLife.unbindConfirm', { name: device.residentName ?? device.residentId ?? '' }))) act(() => api.del(`/api/devices/${enc(device.id)}/binding`)) }}>
            {t('deviceLife.unbind')}
          </button>
        )}
        {!revoked && !binding && (
          <button type="button" class="btn btn-small" disabled={busy} data-testid="device-bind" onClick={() => setBinding(true)}>
            {device.residentId ? t('deviceLife.rebind') : t('deviceLife.bind')}
          </button>
        )}
      </div>
      {binding && (
        <div class="inline-form" data-testid="device-bind-form">
          <ResidentPicker testid="device-bind-picker" actionLabel={t('deviceLife.bindTo')}
            onPick={(r) => act(() => api.post(`/api/devices/${enc(device.id)}/binding`, { residentId: r.id }), () => setBinding(false))} />
          <button type="button" class="btn btn-small" onClick={() => setBinding(false)}>{t('app.cancel')}</button>
        </div>
      )}

      <div class="lifecycle-row">
        <label class="inline">
          <input type="checkbox" role="switch" checked={testMode} disabled={busy || revoked} data-testid="device-test-mode"
            onChange={(e) => {
              const on = e.currentTarget.checked
              setTestMode(on)
              act(() => api.patch(`/api/devices/${enc(device.id)}`, { testMode: on }), undefined, () => setTestMode(!on))
            }} />
          {t('deviceLife.testMode')}
        </label>
        <span class="muted small">{t('deviceLife.testHint')}</span>
      </div>

      {!revoked && (
        <div class="lifecycle-row">
          <button type="button" class="btn btn-small" disabled={busy} data-testid="device-rotate"
            onClick={() => { if (window.confirm(t('deviceLife.rotateConfirm'))) act(() => api.post<ProvisionAnswer>(`/api/devices/${enc(device.id)}/credentials`), (a) => setCredentials((a as ProvisionAnswer).credentials)) }}>
            {t('deviceLife.rotate')}
          </button>
          <button type="button" class="btn btn-small btn-danger" disabled={busy} data-testid="device-revoke" onClick={() => setConfirmRevoke(true)}>
            {t('deviceLife.revoke')}
          </button>
        </div>
      )}
      {revoked && <div class="notice notice-error" data-testid="device-revoked-notice">{t('deviceLife.revokedNotice')}</div>}

      {confirmRevoke && (
        <div class="dialog-backdrop">
          <div class="dialog card" role="alertdialog" aria-modal="true" aria-labelledby="revoke-title" data-testid="device-revoke-dialog">
            <h2 id="revoke-title">{t('deviceLife.revokeTitle', { id: device.id })}</h2>
            <p>{t('deviceLife.revokeText')}</p>
            <div class="form-buttons">
              <button type="button" class="btn btn-danger" data-testid="device-revoke-confirm"
                onClick={() => { setConfirmRevoke(false); act(() => api.post(`/api/devices/${enc(device.id)}/revoke`)) }}>
                {t('deviceLife.revoke')}
              </button>
              <button type="button" class="btn" data-testid="device-revoke-cancel" onClick={() => setConfirmRevoke(false)}>{t('app.cancel')}</button>
            </div>
          </div>
        </div>
      )}
    </Section>
  )
}
