// The list pages' table: headers, a "nothing here" row spanning them all, one row per item, and for a
// loaded page its error box, loading note and pager. Pages keep their own test ids and row markup.
import type { JSX } from 'preact'
import type { Page } from '../api/types.ts'
import type { Loaded } from '../lib/async.ts'
import type { useCursorPages } from '../lib/paging.ts'
import { ErrorBox, Loading, Pager } from './common.tsx'

type TableProps<T> = {
  testid: string
  /** Translated column headers; the empty row spans all of them. */
  columns: string[]
  items: T[]
  empty: string
  emptyTestid?: string
  /** The item's `<tr>`, with its own key. */
  row: (item: T) => JSX.Element
}

export function ListTable<T>({ testid, columns, items, empty, emptyTestid, row }: TableProps<T>) {
  return (
    <table class="table" data-testid={testid}>
      <thead>
        <tr>
          {columns.map((c, i) => <th key={i}>{c}</th>)}
        </tr>
      </thead>
      <tbody>
        {items.length === 0 && <tr><td colSpan={columns.length} class="empty" data-testid={emptyTestid}>{empty}</td></tr>}
        {items.map((item) => row(item))}
      </tbody>
    </table>
  )
}

type PagedProps<T> = Omit<TableProps<T>, 'items'> & {
  list: Pick<Loaded<Page<T>>, 'data' | 'error' | 'loading' | 'reload'>
  /** Without it the list is one page and shows no pager. */
  pages?: ReturnType<typeof useCursorPages>
}

export function PagedTable<T>({ list, pages, ...table }: PagedProps<T>) {
  return (
    <>
      <ErrorBox error={list.error} onRetry={list.reload} />
      {list.data === null ? (list.loading ? <Loading /> : null) : (
        <>
          <ListTable items={list.data.items} {...table} />
          {pages !== undefined && (
            <Pager hasPrev={pages.hasPrev} hasNext={list.data.nextCursor !== null} onPrev={pages.prev} onNext={() => pages.next(list.data?.nextCursor ?? null)} />
          )}
        </>
      )}
    </>
  )
}
