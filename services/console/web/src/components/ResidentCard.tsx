// Who the resident is, at a glance: the first thing an operator needs before calling anyone.
import type { ResidentDetail } from '../api/types.ts'
import { useI18n } from '../i18n/i18n.tsx'
import { href } from '../lib/router.ts'
import { Avatar, FlagBadges, Tel } from './common.tsx'

export function ResidentCard({ resident, link = true }: { resident: ResidentDetail; link?: boolean }) {
  const tr = useI18n()
  const { t, tc } = tr
  const colon = tr.lang === 'en' ? ': ' : '：'
  return (
    <section class="card resident-card" data-testid="resident-card">
      <div class="resident-head">
        <Avatar name={resident.fullName} size={64} />
        <div>
          <h2 class="resident-name">
            {link ? <a href={href('residents', resident.id)}>{resident.fullName}</a> : resident.fullName}
          </h2>
          <div class="resident-sub">
            {t('resident.ageYears', { n: resident.age })} · {tc('gender', resident.gender)} · {tc('living', resident.livingSituation)} · {tc('careLevel', resident.careLevel)}
          </div>
          {resident.flags.length > 0 && <FlagBadges flags={resident.flags} />}
        </div>
      </div>
      <dl class="facts">
        <div class="fact"><dt>{t('resident.address')}</dt><dd>{resident.address} {resident.areaName ? <span class="muted">({resident.areaName})</span> : null}</dd></div>
        <div class="fact"><dt>{t('resident.phone')}</dt><dd><Tel phone={resident.phone} /></dd></div>
        <div class="fact">
          <dt>{t('resident.conditions')}</dt>
          <dd>{resident.conditions.length === 0 ? '—' : resident.conditions.map((c) => tc('condition', c)).join(tr.lang === 'en' ? ', ' : '、')}</dd>
        </div>
        <div class="fact"><dt>{t('resident.medication')}</dt><dd class="prewrap">{resident.medicationNotes ?? '—'}</dd></div>
        <div class="fact">
          <dt>{t('resident.careTeam')}</dt>
          <dd>
            <div>{t('resident.assignedCarer')}{colon}{resident.assignedCarer ? <>{resident.assignedCarer.fullName} <Tel phone={resident.assignedCarer.phone} /></> : '—'}</div>
            <div>{t('resident.familyDoctor')}{colon}{resident.familyDoctor ? <>{resident.familyDoctor.fullName} <Tel phone={resident.familyDoctor.phone} /></> : '—'}</div>
          </dd>
        </div>
        <div class="fact">
          <dt>{t('resident.contacts')}</dt>
          <dd>
            {resident.contacts.length === 0 ? '—' : (
              <ol class="contacts" data-testid="contacts">
                {[...resident.contacts].sort((a, b) => a.position - b.position).map((c) => (
                  <li key={`${c.position}-${c.phone}`}>
                    {c.fullName} <span class="muted">({c.relation})</span> <Tel phone={c.phone} />
                  </li>
                ))}
              </ol>
            )}
          </dd>
        </div>
      </dl>
    </section>
  )
}
