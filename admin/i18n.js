// Strings, language choice and number/time formats. The language is English
// or Chinese: the admin's choice (kept in localStorage), else the browser's.

import { STRINGS } from './strings.js'

const STORE = 'protium.console.lang'
export const LANGUAGES = [
  { code: 'en', name: 'English' },
  { code: 'zh', name: '中文' },
]

function initial() {
  const saved = localStorage.getItem(STORE)
  if (saved && STRINGS[saved]) return saved
  const wanted = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || 'en']
  for (const tag of wanted) {
    const base = String(tag).toLowerCase().split('-')[0]
    if (STRINGS[base]) return base
  }
  return 'en'
}

let lang = initial()
document.documentElement.lang = htmlLang(lang)

function htmlLang(code) {
  return code === 'zh' ? 'zh-CN' : code
}

/** The current language code. */
export function getLang() {
  return lang
}

/** Switches the language, remembers it, and tells the page (`langchange`). */
export function setLang(code) {
  if (!STRINGS[code] || code === lang) return
  lang = code
  localStorage.setItem(STORE, code)
  document.documentElement.lang = htmlLang(code)
  window.dispatchEvent(new CustomEvent('langchange', { detail: code }))
}

/** Whether there is a string `key`. */
export function has(key) {
  return key in STRINGS.en
}

/** The string `key` in the current language, with `{name}` replaced from `vars`. */
export function t(key, vars) {
  let text = STRINGS[lang][key] ?? STRINGS.en[key]
  if (text === undefined) {
    console.warn(`missing string ${key}`)
    text = key
  }
  if (typeof text === 'function') return text(vars || {})
  if (vars) text = text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m))
  return text
}

/** Fills `data-i18n` (text) and `data-i18n-<attr>` (attribute) hooks under `root`. */
export function translate(root) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n)
  for (const el of root.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel))
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.setAttribute('placeholder', t(el.dataset.i18nPlaceholder))
}

const locale = () => (lang === 'zh' ? 'zh-CN' : 'en-GB')

/** A whole number with grouping: 12,345. */
export function fmtNumber(n) {
  if (n === null || n === undefined) return '—'
  return new Intl.NumberFormat(locale()).format(n)
}

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB']

/** A size in bytes, readable: 930 B, 12.5 KB, 3 MB (steps of 1024). */
export function fmtBytes(n) {
  if (n === null || n === undefined || !Number.isFinite(Number(n))) return '—'
  let value = Number(n)
  let unit = 0
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024
    unit += 1
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1
  return `${new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }).format(value)} ${BYTE_UNITS[unit]}`
}

/** A unix time as a local date and time. */
export function fmtTime(unix) {
  if (unix === null || unix === undefined || unix === '') return '—'
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(unix * 1000))
}

/** A unix time as "3 minutes ago" / "in 2 days". */
export function fmtRelative(unix) {
  if (unix === null || unix === undefined) return '—'
  const diff = unix - Date.now() / 1000
  const rtf = new Intl.RelativeTimeFormat(locale(), { numeric: 'auto' })
  const abs = Math.abs(diff)
  const steps = [
    [60, 'second', 1],
    [3600, 'minute', 60],
    [86400, 'hour', 3600],
    [86400 * 30, 'day', 86400],
    [86400 * 365, 'month', 86400 * 30],
    [Infinity, 'year', 86400 * 365],
  ]
  for (const [limit, unit, size] of steps) {
    if (abs < limit) return rtf.format(Math.round(diff / size), unit)
  }
  return fmtTime(unix)
}

/** A "YYYY-MM-DD" day as a short label: 25 Nov / 11月25日. */
export function fmtDay(day, opts = { day: 'numeric', month: 'short' }) {
  const [y, m, d] = day.split('-').map(Number)
  return new Intl.DateTimeFormat(locale(), { ...opts, timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, d)))
}
