// Escalation policies: which alarms a policy takes (types, minimum priority), its ordered steps (who is
// told, by which channels, how long to wait), and the handling/arrival/repeat timeouts. The server
// validates the whole policy and names every problem; that message is shown as it is.
import { useEffect, useState } from 'preact/hooks'
import { api, ApiError, enc } from '../api/client.ts'
import { ALARM_TYPES, CHANNELS, ROTATION_ROLES, type Policy, type PolicyStep, type PolicyTarget } from '../api/types.ts'
import { ErrorBox, Loading, errorText } from '../components/common.tsx'
import { useI18n } from '../i18n/i18n.tsx'
import { useLoad } from '../lib/async.ts'
import { can } from '../lib/permissions.ts'
import { useSession } from '../lib/session.tsx'

const TARGET_KINDS: PolicyTarget['kind'][] = ['assigned_carer', 'on_duty', 'family_doctor', 'family_contacts', 'supervisor', 'call_120']

function blankPolicy(): Policy {
  return {
    id: '',
    name: '',
    match: {},
    steps: [{ targets: [{ kind: 'on_duty', role: 'operator' }], waitSeconds: 60, channels: ['console'] }],
    handlingTimeoutSeconds: 900,
    arrivalTimeoutSeconds: 1800,
    repeatLastStepEverySeconds: 300,
  }
}

export function PoliciesPage() {
  const { t } = useI18n()
  const session = useSession()
  const mayEdit = can(session.user.role, 'policies.write')
  const list = useLoad(() => api.get<{ items: Policy[] }>('/api/policies'), [])
  const [drafts, setDrafts] = useState<number[]>([])
  return (
    <div>
      <div class="page-head">
        <h1>{t('policy.title')}</h1>
        {mayEdit && <button type="button" class="btn btn-primary" data-testid="policy-new" onClick={() => setDrafts((d) => [...d, Date.now()])}>+ {t('policy.new')}</button>}
      </div>
      <ErrorBox error={list.error} onRetry={list.reload} />
      {list.data === null ? <Loading /> : (
        <div data-testid="policy-list">
          {list.data.items.length === 0 && (
            // The escalation service falls back to its built-in policy: say so, an empty page would alarm.
            <div class="notice" role="status" data-testid="policy-defaults">{t('policy.usingDefaults')}</div>
          )}
          {list.data.items.map((p) => <PolicyEditor key={p.id} policy={p} isNew={false} mayEdit={mayEdit} onChanged={list.reload} />)}
          {drafts.map((k) => (
            <PolicyEditor key={k} policy={blankPolicy()} isNew mayEdit={mayEdit}
              onChanged={() => { setDrafts((d) => d.filter((x) => x !== k)); list.reload() }}
              onDiscard={() => setDrafts((d) => d.filter((x) => x !== k))} />
          ))}
        </div>
      )}
    </div>
  )
}

function PolicyEditor({ policy, isNew, mayEdit, onChanged, onDiscard }: { policy: Policy; isNew: boolean; mayEdit: boolean; onChanged: () => void; onDiscard?: () => void }) {
  const tr = useI18n()
  const { t, tc } = tr
  const [p, setP] = useState<Policy>(policy)
  const [open, setOpen] = useState(isNew)
  const [busy, setBusy] = useState(false)
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null)
  useEffect(() => setP(policy), [policy])

  const set = <K extends keyof Policy>(key: K, value: Policy[K]): void => setP((cur) => ({ ...cur, [key]: value }))
  const setStep = (i: number, step: PolicyStep): void => set('steps', p.steps.map((s, j) => (j === i ? step : s)))
  const moveStep = (i: number, by: number): void => {
    const steps = [...p.steps]
    const j = i + by
    if (j < 0 || j >= steps.length) return
    ;[steps[i], steps[j]] = [steps[j]!, steps[i]!]
    set('steps', steps)
  }
  const types = p.match.alarmTypes ?? []

  const save = (e: Event): void => {
    e.preventDefault()
    const match: Policy['match'] = {}
    if (types.length > 0) match.alarmTypes = types
    if (p.match.minPriority !== undefined && Number.isFinite(p.match.minPriority)) match.minPriority = p.match.minPriority
    const body: Policy = { ...p, id: p.id.trim(), name: p.name.trim(), match }
    setBusy(true)
    setMessage(null)
    api.put(`/api/policies/${enc(body.id)}`, body).then(
      () => { setBusy(false); setMessage({ ok: true, text: t('app.saved') }); onChanged() },
      (err: unknown) => {
        setBusy(false)
        // A 400 names every problem of the policy: show the server's words, they point at the fields.
        setMessage({ ok: false, text: err instanceof ApiError && err.status === 400 ? `${tc('error', err.code)}: ${err.message}` : errorText(tr, err) })
      },
    )
  }
  const remove = (): void => {
    if (isNew) { onDiscard?.(); return }
    if (!window.confirm(t('app.confirmDelete'))) return
    api.del(`/api/policies/${enc(p.id)}`).then(onChanged, (err: unknown) => setMessage({ ok: false, text: errorText(tr, err) }))
  }

  return (
    <form class="card policy" onSubmit={save} data-testid="policy" data-policy-id={policy.id}>
      <header class="card-head">
        <h2>
          <button type="button" class="linklike" aria-expanded={open} onClick={() => setOpen(!open)} data-testid="policy-toggle">
            {open ? '▾' : '▸'} {isNew ? t('policy.new') : p.name || p.id}
          </button>
        </h2>
        <span class="muted small">
          <span class="mono">{p.id}</span> · {t('policy.summary', { n: p.steps.length })} · {types.length === 0 ? t('app.all') : types.map((x) => tc('alarmType', x)).join('、')}
        </span>
      </header>
      {message && <div class={`notice ${message.ok ? 'notice-ok' : 'notice-error'}`} role={message.ok ? 'status' : 'alert'} data-testid="policy-message">{message.text}</div>}
      {open && (
        <div class="card-body">
          <fieldset disabled={!mayEdit} class="plain">
            <div class="form-grid">
              {isNew && <label class="field"><span>{t('policy.id')}</span><input required value={p.id} onInput={(e) => set('id', e.currentTarget.value)} data-testid="policy-id" /></label>}
              <label class="field"><span>{t('policy.name')}</span><input required value={p.name} onInput={(e) => set('name', e.currentTarget.value)} data-testid="policy-name" /></label>
              <label class="field">
                <span>{t('policy.minPriority')}</span>
                <input type="number" value={p.match.minPriority ?? ''} onInput={(e) => {
                  const v = e.currentTarget.value
                  set('match', { ...p.match, minPriority: v === '' ? undefined : Number(v) })
                }} data-testid="policy-min-priority" />
              </label>
            </div>
            <fieldset class="checks">
              <legend>{t('policy.alarmTypes')}</legend>
              {ALARM_TYPES.map((x) => (
                <label key={x}>
                  <input type="checkbox" checked={types.includes(x)} onChange={(e) => set('match', { ...p.match, alarmTypes: e.currentTarget.checked ? [...types, x] : types.filter((y) => y !== x) })} />
                  {' '}{tc('alarmType', x)}
                </label>
              ))}
            </fieldset>
            <fieldset>
              <legend>{t('policy.steps')}</legend>
              <ol class="steps" data-testid="policy-steps">
                {p.steps.map((s, i) => (
                  <li key={i} class="step" data-testid="policy-step">
                    <div class="step-head">
                      <strong>{t('policy.step', { n: i + 1 })}</strong>
                      {mayEdit && (
                        <span class="member-buttons">
                          <button type="button" class="btn btn-small" aria-label={t('schedule.moveUp')} disabled={i === 0} onClick={() => moveStep(i, -1)}>↑</button>
                          <button type="button" class="btn btn-small" aria-label={t('schedule.moveDown')} disabled={i === p.steps.length - 1} onClick={() => moveStep(i, 1)}>↓</button>
                          <button type="button" class="btn btn-small" onClick={() => set('steps', p.steps.filter((_, j) => j !== i))}>{t('schedule.remove')}</button>
                        </span>
                      )}
                    </div>
                    <StepEditor step={s} onChange={(next) => setStep(i, next)} />
                  </li>
                ))}
              </ol>
              {mayEdit && (
                <button type="button" class="btn btn-small" data-testid="policy-step-add" onClick={() => set('steps', [...p.steps, { targets: [{ kind: 'supervisor' }], waitSeconds: 120, channels: ['console'] }])}>
                  + {t('policy.addStep')}
                </button>
              )}
            </fieldset>
            <fieldset>
              <legend>{t('policy.timeouts')}</legend>
              <div class="form-grid">
                <label class="field"><span>{t('policy.handlingTimeout')}</span><input type="number" min={0} value={p.handlingTimeoutSeconds} onInput={(e) => set('handlingTimeoutSeconds', Number(e.currentTarget.value))} data-testid="policy-handling-timeout" /></label>
                <label class="field"><span>{t('policy.arrivalTimeout')}</span><input type="number" min={0} value={p.arrivalTimeoutSeconds} onInput={(e) => set('arrivalTimeoutSeconds', Number(e.currentTarget.value))} data-testid="policy-arrival-timeout" /></label>
                <label class="field"><span>{t('policy.repeatEvery')}</span><input type="number" min={0} value={p.repeatLastStepEverySeconds} onInput={(e) => set('repeatLastStepEverySeconds', Number(e.currentTarget.value))} data-testid="policy-repeat" /></label>
              </div>
            </fieldset>
          </fieldset>
          {mayEdit && (
            <div class="form-buttons">
              <button type="submit" class="btn btn-primary" disabled={busy} data-testid="policy-save">{t('app.save')}</button>
              <button type="button" class="btn" onClick={remove} data-testid="policy-delete">{isNew ? t('app.cancel') : t('app.delete')}</button>
            </div>
          )}
        </div>
      )}
    </form>
  )
}

function StepEditor({ step, onChange }: { step: PolicyStep; onChange: (s: PolicyStep) => void }) {
  const { t, tc } = useI18n()
  const setTarget = (i: number, target: PolicyTarget): void => onChange({ ...step, targets: step.targets.map((x, j) => (j === i ? target : x)) })
  const changeKind = (i: number, kind: PolicyTarget['kind']): void => {
    const target: PolicyTarget = kind === 'on_duty' ? { kind, role: 'operator' } : kind === 'family_contacts' ? { kind, max: 3 } : ({ kind } as PolicyTarget)
    setTarget(i, target)
  }
  return (
    <div class="step-body">
      <div class="field">
        <span>{t('policy.targets')}</span>
        {step.targets.map((target, i) => (
          <div class="form-row" key={i} data-testid="policy-target">
            <select value={target.kind} onChange={(e) => changeKind(i, e.currentTarget.value as PolicyTarget['kind'])} aria-label={t('policy.targets')}>
              {TARGET_KINDS.map((k) => <option key={k} value={k}>{tc('target', k)}</option>)}
            </select>
            {target.kind === 'on_duty' && (
              <select value={target.role} onChange={(e) => setTarget(i, { kind: 'on_duty', role: e.currentTarget.value })} aria-label={t('schedule.role')}>
                {ROTATION_ROLES.map((r) => <option key={r} value={r}>{tc('role', r)}</option>)}
              </select>
            )}
            {target.kind === 'family_contacts' && (
              <label class="inline">{t('policy.max')} <input type="number" min={1} max={10} value={target.max ?? ''} class="narrow"
                onInput={(e) => { const v = e.currentTarget.value; setTarget(i, v === '' ? { kind: 'family_contacts' } : { kind: 'family_contacts', max: Number(v) }) }} /></label>
            )}
            <button type="button" class="btn btn-small" onClick={() => onChange({ ...step, targets: step.targets.filter((_, j) => j !== i) })}>{t('schedule.remove')}</button>
          </div>
        ))}
        <button type="button" class="btn btn-small" onClick={() => onChange({ ...step, targets: [...step.targets, { kind: 'assigned_carer' }] })}>+ {t('policy.addTarget')}</button>
      </div>
      <label class="field narrow-field">
        <span>{t('policy.waitSeconds')}</span>
        <input type="number" min={0} value={step.waitSeconds} onInput={(e) => onChange({ ...step, waitSeconds: Number(e.currentTarget.value) })} data-testid="policy-step-wait" />
      </label>
      <fieldset class="checks">
        <legend>{t('policy.channels')}</legend>
        {CHANNELS.map((c) => (
          <label key={c}>
            <input type="checkbox" checked={step.channels.includes(c)} onChange={(e) => onChange({ ...step, channels: e.currentTarget.checked ? [...step.channels, c] : step.channels.filter((x) => x !== c) })} />
            {' '}{tc('channel', c)}
          </label>
        ))}
      </fieldset>
    </div>
  )
}
