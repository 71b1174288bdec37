import { alarmTypeLabel } from '../domain/messages.ts'
import type { AlarmOverview } from '../adapters/alarm-overview.ts'
import { escapeHtml as e, label, OUTCOME_CHOICES, text, type PageLocale } from './page-text.ts'

const STYLE = `
body{font-family:system-ui,"PingFang SC","Noto Sans CJK SC",sans-serif;margin:0;background:#f4f6f8;color:#1d2733}
header{background:#0b5cab;color:#fff;padding:12px 16px;display:flex;justify-content:space-between;align-items:center;gap:12px}
header a{color:#fff;display:inline-block;white-space:nowrap;padding:14px 8px;margin:-14px -8px}main{padding:12px;max-width:560px;margin:auto}
section{background:#fff;border-radius:10px;padding:14px 16px;margin:0 0 12px;box-shadow:0 1px 2px #0002}
h1{font-size:20px;margin:0 0 6px}h2{font-size:16px;margin:0 0 8px;color:#44515f}
.critical{border-left:6px solid #c62828}.badge{display:inline-block;background:#c62828;color:#fff;border-radius:4px;padding:1px 6px;font-size:13px}
dl{display:grid;grid-template-columns:fit-content(40%) 1fr;align-items:baseline;gap:4px 12px;margin:0}dt{color:#66727f}dd{margin:0;overflow-wrap:anywhere}
button,select,textarea{font-family:inherit}button{font-size:17px;min-height:48px;padding:12px;border-radius:8px;border:0;width:100%;margin:6px 0;background:#0b5cab;color:#fff}
button.secondary{background:#e3e8ee;color:#1d2733}select,textarea{width:100%;font-size:16px;padding:10px;margin:4px 0 8px;box-sizing:border-box;min-height:44px;border:1px solid #8a96a3;border-radius:8px;background:#fff;color:#1d2733}
label{display:block;margin-top:8px;color:#44515f}
.flash{background:#e8f5e9;border:1px solid #2e7d32}.error{background:#fdecea;border:1px solid #c62828}
ul{padding-left:18px;margin:0}li{margin:2px 0}
dd a,li a{display:inline-block;min-height:44px;min-width:44px;line-height:44px}`

export function page(locale: PageLocale, body: string, options: { langHref?: string } = {}): string {
  const lang = options.langHref ? `<a href="${e(options.langHref)}">${text('language', locale)}</a>` : ''
  return `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${text('title', locale)}</title><style>${STYLE}</style></head>
<body><header><strong>${text('title', locale)}</strong>${lang}</header><main>${body}</main></body></html>`
}

export function messagePage(locale: PageLocale, message: string): string {
  return page(locale, `<section class="error"><p>${e(message)}</p></section>`)
}

/** Before the link is used: nothing personal yet, one button (mail scanners follow links but do not press buttons). */
export function interstitial(locale: PageLocale, action: string): string {
  return page(
    locale,
    `<section><p>${text('openHint', locale)}</p><form method="post" action="${e(action)}"><button type="submit">${text('open', locale)}</button></form></section>`,
    { langHref: `?lang=${locale === 'en' ? 'zh-CN' : 'en'}` },
  )
}

export type ViewerContext = { locale: PageLocale; recipient: { kind: 'staff' | 'contact'; id: string }; csrf: string; actionUrl: string; flash: { ok: boolean; message: string } | null; vapidPublicKey: string | null }

export function alarmPage(view: AlarmOverview, viewer: ViewerContext): string {
  const { facts } = view
  const { locale } = viewer
  const audience = viewer.recipient.kind === 'staff' ? 'staff' : 'family'
  const raisedAt = new Intl.DateTimeFormat(locale, { timeZone: facts.timezone, month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date(facts.raisedAt))
  const flash = viewer.flash ? `<section class="${viewer.flash.ok ? 'flash' : 'error'}" role="status">${e(viewer.flash.message)}</section>` : ''
  const open = !['resolved', 'closed'].includes(view.state)
  const form = (action: string, buttonText: string, extra = '', secondary = false): string =>
    `<form method="post" action="${e(viewer.actionUrl)}"><input type="hidden" name="csrf" value="${e(viewer.csrf)}"><input type="hidden" name="action" value="${action}">${extra}<button type="submit" name="do" value="${action}"${secondary ? ' class="secondary"' : ''}>${buttonText}</button></form>`
  const alarmActions =
    open && ['raised', 'notified'].includes(view.state)
      ? form('acknowledge', text('acknowledge', locale)) + form('decline', text('decline', locale), '', true)
      : ''
  const called = view.called
    .filter(c => !(c.kind === viewer.recipient.kind && c.id === viewer.recipient.id))
    .map(c => `<li>${e(c.name ?? c.role ?? c.kind)}${c.role && c.name ? ` (${e(label('role', c.role, locale))})` : ''} · ${e(label('delivery', c.seen ? 'seen' : c.status, locale))}</li>`)
    .join('')
  return page(
    locale,
    `${flash}
<section class="${facts.critical ? 'critical' : ''}">
  <h1>${facts.critical ? `<span class="badge">!</span> ` : ''}${e(alarmTypeLabel(facts.alarmType, locale, audience))}</h1>
  <dl><dt>${text('raisedAt', locale)}</dt><dd>${e(raisedAt)}</dd>
  <dt>${text('state', locale)}</dt><dd data-state="${e(view.state)}">${e(label('state', view.state, locale))}</dd>
  ${view.acknowledgedBy ? `<dt>${text('handledBy', locale)}</dt><dd>${e(view.acknowledgedBy.name ?? view.acknowledgedBy.id)}</dd>` : ''}
  ${view.outcome ? `<dt>${text('outcome', locale)}</dt><dd data-outcome="${e(view.outcome)}">${e(label('outcome', view.outcome, locale))}</dd>` : ''}</dl>
  ${alarmActions}
</section>
<section><h2>${text('resident', locale)}</h2>
  <dl><dt>${text('name', locale)}</dt><dd>${e(facts.residentName)}${locale === 'en' ? ', ' : '，'}${facts.residentAge} ${text('age', locale)}</dd>
  <dt>${text('address', locale)}</dt><dd>${e(facts.residentAddress)}${mapLink(view, locale)}</dd>
  ${view.residentPhone ? `<dt>${text('phone', locale)}</dt><dd><a href="tel:${e(view.residentPhone)}">${e(view.residentPhone)}</a></dd>` : ''}
  <dt>${text('living', locale)}</dt><dd>${e(label('living', facts.livingSituation, locale))}</dd></dl>
</section>
${viewer.recipient.kind === 'staff' && view.contacts.length > 0 ? contactsSection(view, locale) : ''}
${viewer.recipient.kind === 'staff' ? taskSection(view, viewer, form) : ''}
<section><h2>${text('others', locale)}</h2><ul>${called || '<li>—</li>'}</ul></section>
${viewer.vapidPublicKey && viewer.recipient.kind === 'staff' ? pushSection(viewer) : ''}`,
    { langHref: `?lang=${locale === 'en' ? 'zh-CN' : 'en'}` },
  )
}

/** Navigation to the door: Amap (高德) takes a marker by coordinates; without them the address is enough. */
function mapLink(view: AlarmOverview, locale: PageLocale): string {
  const at = view.facts.residentLocation
  if (!at) return ''
  const href = `https://uri.amap.com/marker?position=${at.lon},${at.lat}&name=${encodeURIComponent(view.facts.residentAddress)}&coordinate=wgs84`
  return ` <a href="${e(href)}" rel="noopener noreferrer" target="_blank">${text('map', locale)}</a>`
}

/** Staff can ring the family from the page; a family member opening a link does not see the others' numbers. */
function contactsSection(view: AlarmOverview, locale: PageLocale): string {
  const rows = view.contacts.map(c => `<li>${e(c.name)} (${e(c.relation)}) <a href="tel:${e(c.phone)}">${e(c.phone)}</a></li>`).join('')
  return `<section><h2>${text('contacts', locale)}</h2><ul>${rows}</ul></section>`
}

type FormFn = (action: string, buttonText: string, extra?: string, secondary?: boolean) => string

function taskSection(view: AlarmOverview, viewer: ViewerContext, form: FormFn): string {
  const { locale } = viewer
  const mine = view.tasks.filter(t => t.responderId === viewer.recipient.id)
  if (mine.length === 0) return ''
  return mine
    .map(task => {
      const hidden = `<input type="hidden" name="taskId" value="${e(task.taskId)}">`
      let actions = ''
      if (task.state === 'offered') actions = form('accept_task', text('acceptTask', locale), hidden) + form('decline_task', text('declineTask', locale), hidden, true)
      if (task.state === 'accepted') actions = form('depart', text('depart', locale), hidden) + form('arrive', text('arrive', locale), hidden, true)
      if (task.state === 'en_route') actions = form('arrive', text('arrive', locale), hidden)
      if (task.state === 'arrived') {
        // No outcome is preselected: a default would be recorded whenever someone forgets to choose.
        const options = `<option value="" disabled selected>${text('choose', locale)}</option>` + OUTCOME_CHOICES.map(o => `<option value="${o}">${e(label('outcome', o, locale))}</option>`).join('')
        actions = form(
          'complete',
          text('complete', locale),
          `${hidden}<label>${text('outcome', locale)}<select name="outcome" required>${options}</select></label><label>${text('notes', locale)}<textarea name="notes" maxlength="2000" rows="3"></textarea></label>`,
        )
      }
      const due = task.arrivalDueAt && ['accepted', 'en_route'].includes(task.state)
        ? `<dt>${text('arriveBy', locale)}</dt><dd>${e(new Intl.DateTimeFormat(locale, { timeZone: view.facts.timezone, hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date(task.arrivalDueAt)))}</dd>`
        : ''
      return `<section data-task="${e(task.taskId)}"><h2>${text('task', locale)}</h2><dl><dt>${text('state', locale)}</dt><dd data-task-state="${e(task.state)}">${e(label('task', task.state, locale))}</dd>${due}</dl>${actions}</section>`
    })
    .join('')
}

/** Lets a responder subscribe this phone to web push (the service worker shows the notification). */
function pushSection(viewer: ViewerContext): string {
  const url = `${viewer.actionUrl.replace(/\/actions(\?.*)?$/, '')}/push-subscription`
  return `<section><button type="button" class="secondary" id="push" data-key="${e(viewer.vapidPublicKey)}" data-url="${e(url)}" data-csrf="${e(viewer.csrf)}">${text('push', viewer.locale)}</button></section>
<script src="/responder/push.js"></script>`
}

/** Subscribes to web push; a file of its own so the page's content security policy allows no inline script. */
export const PUSH_SCRIPT = `const button = document.getElementById('push')
button.addEventListener('click', async () => {
  const key = button.dataset.key
  const raw = atob(key.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - key.length % 4) % 4))
  const registration = await navigator.serviceWorker.register('/responder/sw.js', { scope: '/responder/' })
  const subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: Uint8Array.from(raw, c => c.charCodeAt(0)) })
  await fetch(button.dataset.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': button.dataset.csrf }, body: JSON.stringify(subscription) })
  button.disabled = true
})
`

/** The service worker: shows a push as a notification; a tap opens the alarm's link. */
export const SERVICE_WORKER = `self.addEventListener('push', event => {
  const data = event.data ? event.data.json() : {}
  event.waitUntil(self.registration.showNotification(data.title || '安心监护中心', { body: data.body, data, requireInteraction: !!data.urgent, tag: (data.data && data.data.alarmId) || undefined }))
})
self.addEventListener('notificationclick', event => {
  event.notification.close()
  if (event.notification.data && event.notification.data.url) event.waitUntil(clients.openWindow(event.notification.data.url))
})
`
