// Forms built from a type's schema: one labelled control per declared field
// (select for enums, switch for booleans, number, date and time, pointer
// search, JSON text), the API's "field: rule" errors shown next to the field.

import { h, uid, debounce } from './dom.js'
import { t } from './i18n.js'
import { get } from './api.js'
import {
  PROFILE, controlOf, enumOf, isEditable, pointerId, pointerTable, ruleSummary, toLocalInput, fromLocalInput,
  pointText, profileType, tableType, pointerHref,
} from './fields.js'
import { icon } from './icons.js'

/** JSON with object keys sorted, so equal values compare equal whatever their key order. */
function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`
  }
  return JSON.stringify(value ?? null)
}
const same = (a, b) => canonical(a) === canonical(b)

/** A control for `field`: {control, input (the labelled element), get(), set(v)}. */
function makeControl(field, id, ctx) {
  const kind = controlOf(field)
  const describe = ctx.describedBy
  switch (kind) {
    case 'enum': {
      const values = enumOf(field)
      const input = h('select', { id, name: field.name, 'aria-describedby': describe },
        h('option', { value: '' }, t('form.unset')),
        values.map((v) => h('option', { value: JSON.stringify(v) }, String(v))))
      return {
        input, control: input,
        get: () => ({ value: input.value === '' ? null : JSON.parse(input.value) }),
        set: (v) => { input.value = v === null || v === undefined ? '' : JSON.stringify(v) },
      }
    }
    case 'bool': {
      const input = h('input', { id, type: 'checkbox', role: 'switch', class: 'switch', name: field.name, 'aria-describedby': describe })
      const state = h('span', { class: 'switch-state', 'aria-hidden': 'true' })
      let wasNull = true
      const sync = () => { state.textContent = input.checked ? t('ui.yes') : t('ui.no') }
      input.addEventListener('change', () => { wasNull = false; sync() })
      return {
        input, control: h('span', { class: 'switch-row' }, input, state),
        get: () => ({ value: wasNull && !input.checked ? null : input.checked }),
        set: (v) => { input.checked = v === true; wasNull = v === null || v === undefined; sync() },
      }
    }
    case 'integer':
    case 'number': {
      const sch = field.schema || {}
      const input = h('input', {
        id, type: 'number', name: field.name, inputmode: kind === 'integer' ? 'numeric' : 'decimal',
        step: kind === 'integer' ? '1' : 'any', min: sch.minimum, max: sch.maximum, 'aria-describedby': describe,
      })
      return {
        input, control: input,
        get: () => {
          if (input.validity.badInput) return { error: t('form.notNumber') }
          if (input.value === '') return { value: null }
          return { value: Number(input.value) }
        },
        set: (v) => { input.value = v === null || v === undefined ? '' : String(v) },
      }
    }
    case 'datetime': {
      const input = h('input', { id, type: 'datetime-local', step: '1', name: field.name, 'aria-describedby': describe })
      let original = null
      return {
        input, control: input,
        get: () => {
          if (input.value === '') return { value: null }
          const d = fromLocalInput(input.value)
          if (!d) return { error: t('form.notDate') }
          // Unchanged instants keep their original text, so no needless write.
          if (original && new Date(original).getTime() === d.getTime()) return { value: original }
          return { value: d.toISOString() }
        },
        set: (v) => { original = v ?? null; input.value = toLocalInput(v) },
      }
    }
    case 'date': {
      const input = h('input', { id, type: 'date', name: field.name, 'aria-describedby': describe })
      return {
        input, control: input,
        get: () => ({ value: input.value === '' ? null : input.value }),
        set: (v) => { input.value = v || '' },
      }
    }
    case 'point': {
      const input = h('input', { id, type: 'text', name: field.name, class: 'mono', placeholder: t('form.pointPlaceholder'), 'aria-describedby': describe, autocomplete: 'off' })
      return {
        input, control: input,
        get: () => {
          const text = input.value.trim()
          if (!text) return { value: null }
          const parts = text.split(/[,\s]+/).filter(Boolean).map(Number)
          if (parts.length !== 2 || parts.some((n) => !Number.isFinite(n))) return { error: t('form.notPoint') }
          return { value: { type: 'Point', coordinates: parts } }
        },
        set: (v) => { input.value = pointText(v) },
      }
    }
    case 'json': {
      const input = h('textarea', { id, name: field.name, class: 'mono', rows: '4', spellcheck: 'false', 'aria-describedby': describe })
      return {
        input, control: input,
        get: () => {
          const text = input.value.trim()
          if (!text) return { value: null }
          let value
          try {
            value = JSON.parse(text)
          } catch (e) {
            return { error: t('form.notJson', { msg: e.message }) }
          }
          if (field.kind === 'array' && !Array.isArray(value)) return { error: t('form.notArray') }
          if (field.kind !== 'array' && (value === null || typeof value !== 'object' || Array.isArray(value))) return { error: t('form.notObject') }
          return { value }
        },
        set: (v) => {
          if (v === null || v === undefined) input.value = ''
          else {
            // Short values stay on one line; longer ones are indented.
            const flat = JSON.stringify(v)
            input.value = flat.length <= 60 ? flat : JSON.stringify(v, null, 2)
          }
        },
      }
    }
    case 'pointer':
      return pointerControl(field, id, ctx)
    case 'longtext': {
      const input = h('textarea', { id, name: field.name, rows: '3', 'aria-describedby': describe })
      return {
        input, control: input,
        get: () => ({ value: input.value === '' ? null : input.value }),
        set: (v) => { input.value = v ?? '' },
      }
    }
    default: {
      const input = h('input', { id, type: 'text', name: field.name, 'aria-describedby': describe, autocomplete: 'off' })
      return {
        input, control: input,
        get: () => ({ value: input.value === '' ? null : input.value }),
        set: (v) => { input.value = v ?? '' },
      }
    }
  }
}

/** The where that finds `text` among a type's rows. */
export function searchWhere(type, text, { users = false } = {}) {
  const q = text.trim()
  if (!q) return null
  if (users) {
    const names = ['nickname', '_email', '_username'].filter((n) => type.fields.some((f) => f.name === n))
    const or = names.map((n) => ({ [n]: { $icontains: q } }))
    if (/^\d+$/.test(q)) or.push({ id: Number(q) })
    return { $or: or }
  }
  const strings = type.fields.filter((f) => !f.builtin && f.kind === 'string' && !enumOf(f) && !f.pointer && f.read !== 'owner').map((f) => f.name)
  const or = strings.map((n) => ({ [n]: { $icontains: q } }))
  if (/^[0-9a-f]{24}$/i.test(q)) or.push({ id: q.toLowerCase() })
  if (!or.length) return { id: q }
  return or.length === 1 ? or[0] : { $or: or }
}

/** What names a row in a pick list: nickname/email for users, a text field for records. */
function rowName(type, row, users) {
  if (users) return row.nickname || row._email || row._username || row._phone || `#${row.id}`
  const f = type.fields.find((x) => !x.builtin && x.kind === 'string' && typeof row[x.name] === 'string' && row[x.name])
  return f ? row[f.name] : row.id
}

/** An id input with a search over the target table. */
function pointerControl(field, id, ctx) {
  const input = h('input', { id, type: 'text', name: field.name, class: 'mono', autocomplete: 'off', 'aria-describedby': ctx.describedBy })
  const searchId = uid('ptr-search')
  const results = h('ul', { class: 'pick-list', 'aria-live': 'polite' })
  const search = h('input', { id: searchId, type: 'search', autocomplete: 'off' })
  const searchLabel = h('label', { for: searchId, class: 'small-label' })
  const panel = h('div', { class: 'pick-panel', hidden: true }, searchLabel, search, results)
  const toggle = h('button', { type: 'button', class: 'btn btn-secondary btn-small', 'aria-expanded': 'false' }, icon('search'), h('span', null, t('form.find')))
  const open = h('a', { class: 'ptr-open', hidden: true }, t('form.openTarget'))

  function target() {
    return pointerTable(field, ctx.valueOf)
  }
  function refreshLink() {
    const href = pointerHref(target(), input.value.trim() || null)
    open.hidden = !href
    if (href) open.setAttribute('href', href)
  }
  const run = debounce(async () => {
    const table = target()
    if (!table) {
      results.replaceChildren(h('li', { class: 'muted' }, t('form.pickTypeFirst')))
      return
    }
    const users = table === PROFILE
    const type = users ? profileType(ctx.schema) : tableType(ctx.schema, table)
    if (!type) return
    const where = searchWhere(type, search.value, { users })
    try {
      const page = await get(users ? 'users/' : `tables/${encodeURIComponent(table)}/records/`, { where, limit: 8, order_by: '-created_at' })
      results.replaceChildren(...(page.objects.length
        ? page.objects.map((row) => h('li', null, h('button', {
          type: 'button', class: 'pick',
          onclick: () => {
            input.value = String(row.id)
            panel.hidden = true
            toggle.setAttribute('aria-expanded', 'false')
            refreshLink()
            input.focus()
          },
        }, h('span', null, String(rowName(type, row, users))), h('span', { class: 'mono muted' }, String(row.id)))))
        : [h('li', { class: 'muted' }, t('ui.noResults'))]))
    } catch (e) {
      if (!e.expired) results.replaceChildren(h('li', { class: 'field-error' }, e.message))
    }
  }, 250)
  toggle.addEventListener('click', () => {
    panel.hidden = !panel.hidden
    toggle.setAttribute('aria-expanded', String(!panel.hidden))
    if (!panel.hidden) {
      searchLabel.textContent = t('form.searchIn', { table: target() || '…' })
      search.focus()
      run()
    }
  })
  search.addEventListener('input', run)
  input.addEventListener('input', refreshLink)
  return {
    input,
    control: h('div', { class: 'ptr' }, h('div', { class: 'ptr-row' }, input, toggle, open), panel),
    get: () => {
      const text = input.value.trim()
      if (!text) return { value: null }
      if (target() === PROFILE && /^\d+$/.test(text)) return { value: Number(text) }
      return { value: text }
    },
    set: (v) => {
      const pid = pointerId(v)
      input.value = pid === null || pid === undefined ? '' : String(pid)
      refreshLink()
    },
    refresh: refreshLink,
  }
}

/**
 * A form for the declared fields of `type`.
 *   mode: 'edit' (sends the changed fields) or 'create' (sends the set ones)
 *   record: the current values; schema: the whole schema (for pointer search)
 * Returns {el, collect(), showError(apiError) → bool, clearErrors(), reset(record)}.
 */
export function schemaForm({ type, schema, record, mode = 'edit', idPrefix = 'f' }) {
  const entries = new Map()
  let current = record || {}
  const ctx = {
    schema,
    // The current value of another field (a pointer's type_field).
    valueOf: (name) => {
      const e = entries.get(name)
      if (!e) return current[name] ?? null
      const r = e.ctl.get()
      return r.error ? null : r.value
    },
  }
  const fields = type.fields.filter(isEditable)
  const rows = fields.map((field) => {
    const id = `${idPrefix}-${field.name}`
    const hintId = `${id}-hint`
    const errId = `${id}-error`
    ctx.describedBy = `${hintId} ${errId}`
    const ctl = makeControl(field, id, ctx)
    if (field.required) ctl.input.setAttribute('aria-required', 'true')
    if (mode === 'edit' && field.immutable) {
      ctl.input.readOnly = true
      ctl.input.disabled = ctl.input.tagName === 'SELECT' || ctl.input.type === 'checkbox'
    }
    const error = h('p', { id: errId, class: 'field-error', hidden: true })
    const desc = field.schema && field.schema.description
    const hint = h('p', { id: hintId, class: 'hint' }, desc ? `${desc} — ` : '', ruleSummary(field), field.immutable ? ` · ${t('form.immutable')}` : '')
    const wide = ['json', 'longtext', 'pointer'].includes(controlOf(field))
    const row = h('div', { class: ['field', wide && 'field-wide', controlOf(field) === 'bool' && 'field-bool'] },
      h('div', { class: 'label-row' }, h('label', { for: id }, field.name), field.required ? h('span', { class: 'req', title: t('form.required') }, '*') : null),
      ctl.control, hint, error)
    entries.set(field.name, { field, ctl, error, row })
    return row
  })
  const el = h('div', { class: 'form-grid' }, rows.length ? rows : h('p', { class: 'empty' }, t('form.noFields')))

  function refreshPointers() {
    for (const e of entries.values()) if (e.ctl.refresh) e.ctl.refresh()
  }
  function reset(rec) {
    current = rec || {}
    for (const [name, e] of entries) {
      const value = name in current ? current[name] : mode === 'create' ? e.field.default : null
      e.ctl.set(value ?? null)
    }
    // A pointer's table may come from a field set after it.
    refreshPointers()
  }
  reset(current)
  el.addEventListener('change', refreshPointers)

  function clearErrors() {
    for (const e of entries.values()) {
      e.error.hidden = true
      e.error.textContent = ''
      e.ctl.input.removeAttribute('aria-invalid')
    }
  }

  function markError(name, message) {
    const e = entries.get(name)
    if (!e) return false
    e.error.replaceChildren(icon('alert'), h('span', null, message))
    e.error.hidden = false
    e.ctl.input.setAttribute('aria-invalid', 'true')
    return true
  }

  /** {values, errors}: the values to send, and the fields the browser already knows are wrong. */
  function collect() {
    clearErrors()
    const values = {}
    const errors = []
    for (const [name, e] of entries) {
      if (e.ctl.input.readOnly && mode === 'edit') continue
      const r = e.ctl.get()
      if (r.error) {
        errors.push(name)
        markError(name, r.error)
        continue
      }
      if (mode === 'edit') {
        const before = e.field.pointer || e.field.kind === 'pointer' ? pointerId(current[name]) : current[name]
        if (!same(before, r.value)) values[name] = r.value
      } else if (r.value !== null) {
        values[name] = r.value
      }
    }
    if (errors.length) entries.get(errors[0]).ctl.input.focus()
    return { values, errors }
  }

  /** Shows an API error next to the field it names; false when it names none here. */
  function showError(err) {
    if (!err || !err.field || !markError(err.field, err.detail || err.message)) return false
    entries.get(err.field).ctl.input.focus()
    return true
  }

  return { el, collect, showError, clearErrors, reset, entries }
}
