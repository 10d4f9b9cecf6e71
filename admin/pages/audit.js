// The audit log: every admin write, newest first, filtered by actor, action,
// target and time range, paged with `before` (the last entry's id).

import { h, mount, uid } from '../dom.js'
import { t, fmtTime, fmtRelative } from '../i18n.js'
import { get } from '../api.js'
import { pageHeader, card, badge, empty, errorBox, tableWrap } from '../ui.js'
import { icon } from '../icons.js'
import { toLocalInput, fromLocalInput, PROFILE } from '../fields.js'

const ACTIONS = [
  'user.', 'user.update', 'user.delete', 'user.disable', 'user.enable', 'user.revoke_sessions', 'user.password_reset',
  'record.', 'record.create', 'record.update', 'record.delete',
  'key.create', 'key.revoke', 'admin.sign_in', 'schema.reload', 'schema.prune',
  'file.delete', 'file_category.', 'file_category.create', 'file_category.update', 'file_category.delete',
]

function actionKind(action) {
  if (/delete|revoke|disable|prune/.test(action)) return 'danger'
  if (/create|enable/.test(action)) return 'ok'
  if (/update|reload/.test(action)) return 'accent'
  return 'neutral'
}

function short(value) {
  if (value && value.type === 'Point' && Array.isArray(value.coordinates)) return value.coordinates.join(', ')
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  return text.length > 40 ? `${text.slice(0, 39)}…` : text
}

const NOISE = new Set(['id', '_id', 'created_at', 'updated_at'])
const absent = (v) => v === null || v === undefined

/** The changes of an entry as "field: old → new" lines (only the new value on create, the old on delete). */
function changesView(changes) {
  if (!changes || typeof changes !== 'object' || !Object.keys(changes).length) return h('span', { class: 'muted' }, '—')
  const all = Object.entries(changes)
  const isDiff = all.every(([, v]) => v && typeof v === 'object' && ('old' in v || 'new' in v))
  if (!isDiff) return h('code', { class: 'mono clip' }, short(changes))
  const entries = all.filter(([k]) => !NOISE.has(k))
  if (!entries.length) return h('span', { class: 'muted' }, '—')
  const shown = entries.slice(0, 4)
  return h('ul', { class: 'changes' },
    shown.map(([k, v]) => h('li', null,
      h('span', { class: 'mono change-field' }, k), ': ',
      absent(v.old) ? null : h('del', { class: 'change-old' }, short(v.old)),
      absent(v.old) || absent(v.new) ? null : h('span', { 'aria-hidden': 'true' }, ' → '),
      absent(v.new) ? (absent(v.old) ? h('span', { class: 'muted' }, '∅') : null) : h('ins', { class: 'change-new' }, short(v.new)))),
    entries.length > shown.length ? h('li', { class: 'muted' }, t('audit.more', { n: entries.length - shown.length })) : null)
}

function targetView(e) {
  if (!e.target_type) return h('span', { class: 'muted' }, '—')
  let href = null
  if (e.target_type === PROFILE && e.target_id) href = `#/users/${encodeURIComponent(e.target_id)}`
  else if (e.target_type === 'api_key') href = '#/keys'
  else if (e.target_type === 'file_category') href = '#/files'
  else if (e.target_type === 'file' && e.target_id) href = `#/files/${encodeURIComponent(e.target_id)}`
  else if (e.target_id && /^[0-9a-f]{24}$/.test(e.target_id)) href = `#/tables/${encodeURIComponent(e.target_type)}/${encodeURIComponent(e.target_id)}`
  const id = e.target_id ? (e.target_id.length > 12 ? `${e.target_id.slice(0, 6)}…${e.target_id.slice(-4)}` : e.target_id) : ''
  const text = `${e.target_type}${id ? ` · ${id}` : ''}`
  const title = e.target_id && e.target_id !== id ? e.target_id : null
  return href ? h('a', { href, class: 'mono', title }, text) : h('span', { class: 'mono', title }, text)
}

/** A list of audit entries (the user and record pages use the compact form). */
export function auditList(entries, { compact = false } = {}) {
  if (!entries.length) return empty(t('audit.none'))
  if (compact) {
    return h('ol', { class: 'timeline', 'aria-label': t('users.activity') }, entries.map((e) => h('li', null,
      h('div', { class: 'timeline-head' },
        badge(e.action, actionKind(e.action)),
        h('time', { datetime: new Date(e.at * 1000).toISOString(), title: fmtTime(e.at) }, fmtRelative(e.at))),
      h('p', { class: 'timeline-actor mono' }, e.actor),
      changesView(e.changes))))
  }
  return tableWrap(h('table', { class: 'data audit-table' },
    h('caption', { class: 'visually-hidden' }, t('audit.title')),
    h('thead', null, h('tr', null,
      [t('audit.when'), t('audit.action'), t('audit.actor'), t('audit.target'), t('audit.changes'), t('audit.ip')].map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', null, entries.map((e) => h('tr', null,
      h('td', { class: 'nowrap' }, h('time', { datetime: new Date(e.at * 1000).toISOString() }, fmtTime(e.at))),
      h('td', null, badge(e.action, actionKind(e.action))),
      h('td', { class: 'mono small actor-cell' }, e.actor),
      h('td', { class: 'nowrap' }, targetView(e)),
      h('td', { class: 'changes-cell' }, changesView(e.changes)),
      h('td', { class: 'mono small' }, e.ip || '—'))))), t('audit.title'))
}

export async function render(ctx) {
  const q = ctx.query
  const ids = {
    actor: uid('au-actor'), action: uid('au-action'), type: uid('au-type'), id: uid('au-id'),
    since: uid('au-since'), until: uid('au-until'), actions: uid('au-actions'),
  }
  const input = (id, name, attrs = {}) => h('input', { id, name, type: 'text', autocomplete: 'off', value: q.get(name) || '', ...attrs })
  const fields = {
    actor: input(ids.actor, 'actor', { placeholder: 'admin:you@example.com' }),
    action: input(ids.action, 'action', { list: ids.actions, placeholder: 'user.update' }),
    target_type: input(ids.type, 'target_type', { placeholder: '_userprofile' }),
    target_id: input(ids.id, 'target_id'),
    since: h('input', { id: ids.since, name: 'since', type: 'datetime-local', step: '1', value: q.get('since') ? toLocalInput(Number(q.get('since'))) : '' }),
    until: h('input', { id: ids.until, name: 'until', type: 'datetime-local', step: '1', value: q.get('until') ? toLocalInput(Number(q.get('until'))) : '' }),
  }
  const labelled = (id, key, el) => h('div', { class: 'field' }, h('label', { for: id }, t(key)), el)
  const form = h('form', { class: 'audit-filters', novalidate: true },
    labelled(ids.actor, 'audit.actor', fields.actor),
    labelled(ids.action, 'audit.action', fields.action),
    h('datalist', { id: ids.actions }, ACTIONS.map((a) => h('option', { value: a }))),
    labelled(ids.type, 'audit.targetType', fields.target_type),
    labelled(ids.id, 'audit.targetId', fields.target_id),
    labelled(ids.since, 'audit.since', fields.since),
    labelled(ids.until, 'audit.until', fields.until),
    h('div', { class: 'filter-actions' },
      h('button', { type: 'submit', class: 'btn btn-primary' }, icon('filter'), h('span', null, t('audit.apply'))),
      h('button', { type: 'button', class: 'btn btn-ghost', onclick: () => { for (const el of Object.values(fields)) el.value = ''; apply() } }, t('audit.clear'))))

  const listSlot = h('div', { class: 'audit-list' })
  const info = h('p', { class: 'pager-info', role: 'status' })
  const newer = h('button', { type: 'button', class: 'btn btn-secondary btn-small', disabled: true }, icon('left'), h('span', null, t('audit.newer')))
  const older = h('button', { type: 'button', class: 'btn btn-secondary btn-small', disabled: true }, h('span', null, t('audit.older')), icon('right'))
  let befores = [null]
  let pageIndex = 0
  let seq = 0

  function filters() {
    const out = {}
    for (const name of ['actor', 'action', 'target_type', 'target_id']) {
      const v = fields[name].value.trim()
      if (v) out[name] = v
    }
    for (const name of ['since', 'until']) {
      const d = fromLocalInput(fields[name].value)
      if (d) out[name] = Math.floor(d.getTime() / 1000)
    }
    return out
  }

  async function load() {
    const mine = ++seq
    listSlot.setAttribute('aria-busy', 'true')
    const params = { ...filters(), limit: 50 }
    if (befores[pageIndex]) params.before = befores[pageIndex]
    try {
      const res = await get('audit/', params)
      if (mine !== seq) return
      mount(listSlot, auditList(res.objects))
      befores[pageIndex + 1] = res.next_before
      older.disabled = !res.next_before
      newer.disabled = pageIndex === 0
      info.textContent = res.objects.length ? t('audit.page', { n: pageIndex + 1, count: res.objects.length }) : ''
    } catch (e) {
      if (mine !== seq || e.expired) return
      mount(listSlot, errorBox(e))
      info.textContent = ''
    } finally {
      if (mine === seq) listSlot.removeAttribute('aria-busy')
    }
  }

  function apply() {
    befores = [null]
    pageIndex = 0
    const params = new URLSearchParams()
    for (const [k, v] of Object.entries(filters())) params.set(k, String(v))
    const qs = params.toString()
    history.replaceState(history.state, '', `#/audit${qs ? `?${qs}` : ''}`)
    load()
  }
  form.addEventListener('submit', (ev) => {
    ev.preventDefault()
    apply()
  })
  older.addEventListener('click', () => {
    if (!befores[pageIndex + 1]) return
    pageIndex += 1
    load()
  })
  newer.addEventListener('click', () => {
    if (pageIndex === 0) return
    pageIndex -= 1
    load()
  })

  mount(ctx.view,
    pageHeader(t('audit.title'), { lead: t('audit.lead') }),
    card(t('audit.filters'), form, { cls: 'filters-card' }),
    listSlot,
    h('div', { class: 'pager' }, info, h('div', { class: 'pager-buttons' }, newer, older)))
  await load()
}
