// The language the console speaks: Simplified Chinese unless the user switched, remembered in localStorage.
import { createContext } from 'preact'
import { useContext } from 'preact/hooks'
import { DICT, type DictKey, type Lang } from './dict.ts'

const STORAGE_KEY = 'anxin.console.lang'

export function initialLang(): Lang {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh-CN'
  } catch {
    return 'zh-CN'
  }
}

export function storeLang(lang: Lang): void {
  try {
    localStorage.setItem(STORAGE_KEY, lang)
  } catch {
    // Private mode: the choice lasts for this page only.
  }
  document.documentElement.lang = lang
}

type Params = Record<string, string | number>

export type Translator = {
  lang: Lang
  /** A fixed text by key, with `{name}` placeholders filled. */
  t: (key: DictKey, params?: Params) => string
  /** A code from the server translated within a group (`alarmType`, `state`...); unknown codes are shown raw. */
  tc: (group: string, code: string | null | undefined) => string
  /** Whether a code has a translation (to avoid showing raw snake_case twice). */
  has: (group: string, code: string) => boolean
}

function fill(text: string, params?: Params): string {
  if (params === undefined) return text
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole))
}

export function makeTranslator(lang: Lang): Translator {
  const index = lang === 'en' ? 1 : 0
  const lookup = (key: string): string | undefined => {
    const pair = (DICT as Record<string, readonly [string, string]>)[key]
    return pair === undefined ? undefined : pair[index]
  }
  return {
    lang,
    t: (key, params) => fill(lookup(key) ?? key, params),
    tc: (group, code) => {
      if (code === null || code === undefined || code === '') return '—'
      return lookup(`${group}.${code}`) ?? lookup(`${group}.${camelToSnake(code)}`) ?? code
    },
    has: (group, code) => lookup(`${group}.${code}`) !== undefined,
  }
}

function camelToSnake(code: string): string {
  return code.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
}

export const I18nContext = createContext<{ tr: Translator; setLang: (lang: Lang) => void }>({
  tr: makeTranslator('zh-CN'),
  setLang: () => undefined,
})

export function useI18n(): Translator {
  return useContext(I18nContext).tr
}

export function useSetLang(): (lang: Lang) => void {
  return useContext(I18nContext).setLang
}
