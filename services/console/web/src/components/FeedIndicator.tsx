// Whether the live feed is connected: an operator must know when the queue may be stale.
import { useI18n } from '../i18n/i18n.tsx'
import type { FeedStatus } from '../lib/feed.ts'

export function FeedIndicator({ status }: { status: FeedStatus }) {
  const tr = useI18n()
  return (
    <span class={`feed feed-${status}`} data-testid="feed-status" data-state={status} title={tr.t('feed.title')} role="status">
      <span class="feed-dot" aria-hidden="true" />
      {tr.t(status === 'live' ? 'feed.live' : 'feed.reconnecting')}
    </span>
  )
}
