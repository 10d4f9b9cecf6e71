// Shared pieces of the pages: headers, cards, badges, toasts, the
// confirmation dialog, the copy button, loading and error states.

import { h, uid } from './dom.js'
import { t, fmtTime } from './i18n.js'
import { icon } from './icons.js'

/** The page's title (the one h1) with optional lead text, crumbs and actions. */
export function pageHeader(title, { lead, crumbs, actions, badges } = {}) {
  return h('header', { class: 'page-header' },
    crumbs && crumbs.length
      ? h('nav', { class: 'crumbs', 'aria-label': t('ui.breadcrumbs') },
        h('ol', null, crumbs.map((c) => h('li', null, c.href ? h('a', { href: c.href }, c.label) : h('span', null, c.label)))))
      : null,
    h('div', { class: 'page-title-row' },
      h('div', { class: 'page-title' },
        h('h1', { tabindex: '-1' }, title),
        badges && badges.length ? h('div', { class: 'badges' }, badges) : null),
      actions && actions.length ? h('div', { class: 'page-actions' }, actions) : null),
    lead ? h('p', { class: 'lead' }, lead) : null)
}

/** A card with a heading of `level` (h2 by default). */
export function card(title, body, { level = 2, actions, cls, id } = {}) {
  const hid = id || uid('card')
  return h('div', { class: ['card', cls] },
    title
      ? h('div', { class: 'card-head' }, h(`h${level}`, { id: hid }, title), actions ? h('div', { class: 'card-actions' }, actions) : null)
      : null,
    h('div', { class: 'card-body' }, body))
}

/** A small coloured label: kind is neutral, ok, warn, danger or accent. */
export function badge(text, kind = 'neutral') {
  return h('span', { class: `badge badge-${kind}` }, text)
}

/** A button: `variant` is primary, secondary, ghost or danger. */
export function button(label, onclick, { variant = 'secondary', iconName, type = 'button', ...rest } = {}) {
  return h('button', { type, class: ['btn', `btn-${variant}`], onclick, ...rest },
    iconName ? icon(iconName) : null, h('span', null, label))
}

/** A link styled as a button. */
export function linkButton(label, href, { variant = 'secondary', iconName } = {}) {
  return h('a', { class: ['btn', `btn-${variant}`], href }, iconName ? icon(iconName) : null, h('span', null, label))
}

/** Shows a short message in the live region at the bottom of the page. */
export function toast(message, kind = 'ok') {
  const region = document.getElementById('toasts')
  if (!region) return
  const item = h('div', { class: `toast toast-${kind}` }, icon(kind === 'ok' ? 'check' : 'alert'), h('span', null, message))
  region.appendChild(item)
  setTimeout(() => item.remove(), kind === 'ok' ? 5000 : 9000)
}

/** A block naming an error, as an alert. */
export function errorBox(err, { title } = {}) {
  const text = err && err.message ? err.message : String(err)
  return h('div', { class: 'notice notice-danger', role: 'alert' },
    icon('alert'),
    h('div', null, title ? h('strong', null, title) : null, h('p', null, text)))
}

/** A block with a loading indicator. */
export function loading() {
  return h('div', { class: 'loading', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), h('span', null, t('ui.loading')))
}

/** An empty state line. */
export function empty(text) {
  return h('p', { class: 'empty' }, text)
}

/** Pretty JSON in a scrollable block. */
export function jsonBlock(value, label) {
  return h('pre', { class: 'json', tabindex: '0', 'aria-label': label || null }, JSON.stringify(value, null, 2))
}

/** A definition list from [term, value] pairs (value: node or text). */
export function defList(pairs, cls) {
  return h('dl', { class: ['deflist', cls] }, pairs.filter(Boolean).map(([k, v]) => h('div', null, h('dt', null, k), h('dd', null, v))))
}

/**
 * Asks for confirmation in a modal dialog; resolves true when confirmed.
 * Focus moves into the dialog (to Cancel, the safe choice) and back after.
 */
export function confirmDialog({ title, message, confirmLabel, danger = false }) {
  return new Promise((resolve) => {
    const previous = document.activeElement
    const titleId = uid('dlg-title')
    const descId = uid('dlg-desc')
    let answer = false
    const cancel = h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => close(false) }, t('ui.cancel'))
    const ok = h('button', { type: 'button', class: ['btn', danger ? 'btn-danger' : 'btn-primary'], onclick: () => close(true) }, confirmLabel || t('ui.confirm'))
    const dialog = h('dialog', { class: 'dialog', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': titleId, 'aria-describedby': descId },
      h('div', { class: 'dialog-icon', 'aria-hidden': 'true' }, icon(danger ? 'alert' : 'info')),
      h('h2', { id: titleId, class: 'dialog-title' }, title),
      h('p', { id: descId, class: 'dialog-text' }, message),
      h('div', { class: 'dialog-actions' }, cancel, ok))
    function close(value) {
      answer = value
      dialog.close()
    }
    dialog.addEventListener('close', () => {
      dialog.remove()
      if (previous && previous.isConnected && typeof previous.focus === 'function') previous.focus()
      resolve(answer)
    })
    document.body.appendChild(dialog)
    dialog.showModal()
    cancel.focus()
  })
}

/** A button copying `getText()` to the clipboard, saying so in a toast. */
export function copyButton(getText, label) {
  return button(label || t('ui.copy'), async () => {
    const text = getText()
    let done = false
    try {
      await navigator.clipboard.writeText(text)
      done = true
    } catch {
      // Fallback for browsers without clipboard permission.
      const area = h('textarea', { class: 'offscreen', 'aria-hidden': 'true', tabindex: '-1' })
      area.value = text
      document.body.appendChild(area)
      area.select()
      try {
        done = document.execCommand('copy')
      } catch {
        done = false
      }
      area.remove()
    }
    toast(done ? t('ui.copied') : t('ui.copyFailed'), done ? 'ok' : 'danger')
  }, { iconName: 'copy' })
}

/** Shows a short id (24-hex record ids are long) with its full value as a title. */
export function shortId(id) {
  const text = String(id)
  return text.length > 12 ? `${text.slice(0, 6)}…${text.slice(-4)}` : text
}

// Scroll containers that overflow must be reachable by keyboard: they get a
// tab stop (and a name) only while their content is wider than they are.
const overflowWatch = typeof ResizeObserver === 'function'
  ? new ResizeObserver((entries) => {
    for (const { target } of entries) {
      const wrap = target.classList.contains('table-wrap') ? target : target.parentElement
      if (!wrap) continue
      if (wrap.scrollWidth > wrap.clientWidth + 1) {
        wrap.setAttribute('tabindex', '0')
        wrap.setAttribute('role', 'region')
        wrap.setAttribute('aria-label', wrap.dataset.label || '')
      } else {
        wrap.removeAttribute('tabindex')
        wrap.removeAttribute('role')
        wrap.removeAttribute('aria-label')
      }
    }
  })
  : null

/** A horizontally scrollable frame around a table, named `label` for when it scrolls. */
export function tableWrap(table, label) {
  const wrap = h('div', { class: 'table-wrap', dataset: { label } })
  wrap.appendChild(table)
  if (overflowWatch) {
    overflowWatch.observe(wrap)
    overflowWatch.observe(table)
  }
  return wrap
}

/** A unix time as a <time> element. */
export function timeView(unix) {
  if (unix === null || unix === undefined) return h('span', { class: 'muted' }, '—')
  return h('time', { datetime: new Date(unix * 1000).toISOString() }, fmtTime(unix))
}
