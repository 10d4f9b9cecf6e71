// <pc-filter>: the filter builder. Pick a field, an operator and a value to
// add a condition; conditions are ANDed into a Hydrogen `where`, shown (and
// editable, for experts) as JSON. Fires `filterchange` with `detail.where`.
//
//   const f = document.createElement('pc-filter')
//   f.configure({ fields, where })   // fields: the type's fields
//   f.addEventListener('filterchange', (e) => load(e.detail.where))

import { h, uid } from './dom.js'
import { t, fmtTime } from './i18n.js'
import { enumOf, isUnixTime, operandOf, operatorsFor, toLocalInput, fromLocalInput, PROFILE } from './fields.js'
import { icon } from './icons.js'

/** The conditions a `where` is made of, or null when it is not a plain AND of field conditions. */
export function toConditions(where) {
  if (!where) return []
  if (typeof where !== 'object' || Array.isArray(where)) return null
  const keys = Object.keys(where)
  const parts = keys.length === 1 && Array.isArray(where.$and) ? where.$and : [where]
  const out = []
  for (const part of parts) {
    if (!part || typeof part !== 'object' || Array.isArray(part)) return null
    for (const [field, cond] of Object.entries(part)) {
      if (field.startsWith('$')) return null
      if (cond && typeof cond === 'object' && !Array.isArray(cond)) {
        const ops = Object.keys(cond)
        if (ops.length !== 1 || !OP_SYMBOL[ops[0]]) return null
        out.push({ field, op: ops[0], value: cond[ops[0]] })
      } else {
        out.push({ field, op: '$eq', value: cond })
      }
    }
  }
  return out
}

/** The `where` of a list of conditions (null for none). */
export function toWhere(conditions) {
  const parts = conditions.map((c) => ({ [c.field]: { [c.op]: c.value } }))
  if (!parts.length) return null
  return parts.length === 1 ? parts[0] : { $and: parts }
}

const OP_SYMBOL = {
  $eq: '=', $ne: '≠', $lt: '<', $lte: '≤', $gt: '>', $gte: '≥', $in: '∈', $nin: '∉',
  $contains: '⊃', $icontains: '⊃', $regex: '~', $exists: '∃', $isnull: '∅',
  $range: '∈', $all: '⊇', $has_key: '∋',
}

export class FilterBuilder extends HTMLElement {
  constructor() {
    super()
    this.fields = []
    this.conditions = []
    this.custom = null
    this.ids = { field: uid('flt-field'), op: uid('flt-op'), value: uid('flt-value'), raw: uid('flt-raw'), err: uid('flt-err'), rawErr: uid('flt-raw-err') }
  }

  /** Sets the fields to filter on and the current where. */
  configure({ fields, where }) {
    // Declared fields first: they are what admins filter on most.
    const usable = fields.filter((f) => operatorsFor(f).length)
    this.fields = [...usable.filter((f) => !f.builtin), ...usable.filter((f) => f.builtin)]
    this.setWhere(where, false)
    this.render()
  }

  get where() {
    if (this.custom) {
      const built = toWhere(this.conditions)
      return built ? { $and: [this.custom, built] } : this.custom
    }
    return toWhere(this.conditions)
  }

  setWhere(where, emit = true) {
    const parsed = toConditions(where)
    if (parsed === null) {
      this.conditions = []
      this.custom = where
    } else {
      this.conditions = parsed
      this.custom = null
    }
    if (emit) this.emit()
  }

  emit() {
    this.renderChips()
    this.renderRaw()
    this.dispatchEvent(new CustomEvent('filterchange', { detail: { where: this.where } }))
  }

  field(name) {
    return this.fields.find((f) => f.name === name)
  }

  /** The value control for a field and operator: {input, read() → {value} | {error}}. */
  valueControl(field, op) {
    const id = this.ids.value
    const common = { id, 'aria-describedby': this.ids.err }
    const boolSelect = () => {
      const input = h('select', common, h('option', { value: 'true' }, t('ui.true')), h('option', { value: 'false' }, t('ui.false')))
      return { input, read: () => ({ value: input.value === 'true' }) }
    }
    const operand = operandOf(field, op)
    if (operand === 'flag') return boolSelect()
    if (!field) return { input: h('input', { ...common, type: 'text', disabled: true }), read: () => ({ error: t('filter.pickField') }) }
    const scalar = (text) => {
      if (field.kind === 'integer' || field.kind === 'number') {
        const n = Number(text)
        return Number.isFinite(n) && text.trim() !== '' ? { value: n } : { error: t('form.notNumber') }
      }
      if (field.kind === 'pointer' || field.pointer === PROFILE) return { value: /^\d+$/.test(text) && field.pointer === PROFILE ? Number(text) : text }
      return { value: text }
    }
    if (operand === 'text' || operand === 'pattern' || operand === 'key') {
      const input = h('input', { ...common, type: 'text', autocomplete: 'off' })
      return { input, read: () => (input.value === '' ? { error: t('filter.needValue') } : { value: input.value }) }
    }
    if (operand === 'range') {
      const input = h('input', { ...common, type: 'text', placeholder: t('filter.rangePlaceholder'), autocomplete: 'off' })
      return {
        input,
        read: () => {
          const ends = input.value.split(',').map((x) => Number(x.trim()))
          if (ends.length !== 2 || !ends.every(Number.isInteger) || ends[0] > ends[1]) return { error: t('filter.badRange') }
          return { value: ends }
        },
      }
    }
    // A list: the operand of $in/$nin/$all, and of $eq on an array field.
    if (operand === 'values' || field.kind === 'array') {
      const input = h('input', { ...common, type: 'text', placeholder: t('filter.listPlaceholder'), autocomplete: 'off' })
      return {
        input,
        read: () => {
          const items = input.value.split(',').map((x) => x.trim()).filter(Boolean)
          if (!items.length) return { error: t('filter.needValue') }
          if (field.kind === 'array') {
            const numeric = ['integer', 'number'].includes(field.schema?.items?.type)
            const values = numeric ? items.map(Number) : items
            return numeric && !values.every(Number.isFinite) ? { error: t('form.notNumber') } : { value: values }
          }
          const values = []
          for (const item of items) {
            const en = enumOf(field)
            if (en) {
              const hit = en.find((v) => String(v) === item)
              values.push(hit === undefined ? item : hit)
              continue
            }
            const r = scalar(item)
            if (r.error) return r
            values.push(r.value)
          }
          return { value: values }
        },
      }
    }
    const en = enumOf(field)
    if (en) {
      const input = h('select', common, en.map((v) => h('option', { value: JSON.stringify(v) }, String(v))))
      return { input, read: () => ({ value: JSON.parse(input.value) }) }
    }
    if (field.kind === 'boolean') return boolSelect()
    if (isUnixTime(field) || field.kind === 'date') {
      const input = h('input', { ...common, type: 'datetime-local', step: '1' })
      input.value = toLocalInput(Math.floor(Date.now() / 1000) - 86400)
      return {
        input,
        read: () => {
          const d = fromLocalInput(input.value)
          if (!d) return { error: t('form.notDate') }
          return { value: isUnixTime(field) ? Math.floor(d.getTime() / 1000) : d.toISOString() }
        },
      }
    }
    if (field.kind === 'integer' || field.kind === 'number') {
      const input = h('input', { ...common, type: 'number', step: field.kind === 'integer' ? '1' : 'any' })
      return { input, read: () => scalar(input.value) }
    }
    const input = h('input', { ...common, type: 'text', autocomplete: 'off' })
    return {
      input,
      read: () => (input.value === '' && op !== '$eq' && op !== '$ne' ? { error: t('filter.needValue') } : scalar(input.value)),
    }
  }

  valueText(c) {
    const f = this.field(c.field)
    if (f && isUnixTime(f) && typeof c.value === 'number') return fmtTime(c.value)
    if (Array.isArray(c.value)) return c.value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ')
    return typeof c.value === 'string' ? `“${c.value}”` : JSON.stringify(c.value)
  }

  render() {
    const fieldSel = h('select', { id: this.ids.field },
      this.fields.map((f) => h('option', { value: f.name }, f.name)))
    const opSel = h('select', { id: this.ids.op })
    const valueSlot = h('div', { class: 'flt-value' })
    const error = h('p', { id: this.ids.err, class: 'field-error', hidden: true })
    let control = null

    const fillOps = () => {
      const f = this.field(fieldSel.value)
      const keep = opSel.value
      opSel.replaceChildren(...(f ? operatorsFor(f) : []).map((op) => h('option', { value: op }, t(`op.${op}`))))
      if ([...opSel.options].some((o) => o.value === keep)) opSel.value = keep
    }
    const fillValue = () => {
      control = this.valueControl(this.field(fieldSel.value), opSel.value)
      valueSlot.replaceChildren(h('label', { for: this.ids.value }, t('filter.value')), control.input)
    }
    fieldSel.addEventListener('change', () => { fillOps(); fillValue(); error.hidden = true })
    opSel.addEventListener('change', () => { fillValue(); error.hidden = true })
    fillOps()
    fillValue()

    const add = (ev) => {
      ev.preventDefault()
      const r = control.read()
      if (r.error) {
        error.replaceChildren(icon('alert'), h('span', null, r.error))
        error.hidden = false
        control.input.setAttribute('aria-invalid', 'true')
        control.input.focus()
        return
      }
      error.hidden = true
      this.conditions.push({ field: fieldSel.value, op: opSel.value, value: r.value })
      this.emit()
    }

    this.chips = h('ul', { class: 'chips', 'aria-label': t('filter.active') })
    this.rawArea = h('textarea', { id: this.ids.raw, class: 'mono', rows: '3', spellcheck: 'false', 'aria-describedby': this.ids.rawErr })
    this.rawError = h('p', { id: this.ids.rawErr, class: 'field-error', hidden: true })
    const applyRaw = () => {
      const text = this.rawArea.value.trim()
      let where = null
      if (text) {
        try {
          where = JSON.parse(text)
        } catch (e) {
          this.showRawError(t('form.notJson', { msg: e.message }))
          return
        }
        if (!where || typeof where !== 'object' || Array.isArray(where)) {
          this.showRawError(t('filter.whereObject'))
          return
        }
      }
      this.rawError.hidden = true
      this.setWhere(where)
    }

    this.replaceChildren(
      h('form', { class: 'flt-row', novalidate: true, onsubmit: add },
        h('div', null, h('label', { for: this.ids.field }, t('filter.field')), fieldSel),
        h('div', null, h('label', { for: this.ids.op }, t('filter.operator')), opSel),
        valueSlot,
        h('div', { class: 'flt-add' }, h('button', { type: 'submit', class: 'btn btn-secondary' }, icon('filter'), h('span', null, t('filter.add'))))),
      error,
      this.chips,
      h('details', { class: 'raw-where' },
        h('summary', null, t('filter.raw')),
        h('div', { class: 'raw-body' },
          h('label', { for: this.ids.raw }, t('filter.rawLabel')),
          this.rawArea,
          this.rawError,
          h('div', { class: 'raw-actions' },
            h('button', { type: 'button', class: 'btn btn-secondary btn-small', onclick: applyRaw }, t('filter.applyRaw')),
            h('a', { class: 'help-link', href: '#/schema' }, t('filter.rawHelp'))))))
    this.renderChips()
    this.renderRaw()
  }

  showRawError(message) {
    this.rawError.replaceChildren(icon('alert'), h('span', null, message))
    this.rawError.hidden = false
    this.rawArea.setAttribute('aria-invalid', 'true')
    this.rawArea.focus()
  }

  /** Shows an error the API gave for the where (e.g. an operator a field does not take). */
  showApiError(message) {
    const details = this.querySelector('details')
    if (details) details.open = true
    this.showRawError(message)
  }

  renderRaw() {
    if (!this.rawArea) return
    const where = this.where
    this.rawArea.value = where ? JSON.stringify(where, null, 2) : ''
    this.rawArea.rows = Math.min(12, Math.max(3, this.rawArea.value.split('\n').length))
    this.rawArea.removeAttribute('aria-invalid')
    this.rawError.hidden = true
  }

  renderChips() {
    if (!this.chips) return
    const items = this.conditions.map((c, i) => {
      const text = `${c.field} ${OP_SYMBOL[c.op] || c.op} ${this.valueText(c)}`
      const spoken = `${c.field} ${t(`op.${c.op}`)} ${this.valueText(c)}`
      return h('li', { class: 'chip' },
        h('span', null, text),
        h('button', {
          type: 'button', class: 'chip-remove', 'aria-label': t('filter.remove', { what: spoken }),
          onclick: () => { this.conditions.splice(i, 1); this.emit() },
        }, icon('close')))
    })
    if (this.custom) {
      items.unshift(h('li', { class: 'chip chip-custom' },
        h('span', null, t('filter.custom')),
        h('button', {
          type: 'button', class: 'chip-remove', 'aria-label': t('filter.remove', { what: t('filter.custom') }),
          onclick: () => { this.custom = null; this.emit() },
        }, icon('close'))))
    }
    this.chips.replaceChildren(...items)
    this.chips.hidden = items.length === 0
    if (items.length > 1) {
      this.chips.appendChild(h('li', null, h('button', {
        type: 'button', class: 'btn btn-ghost btn-small',
        onclick: () => { this.conditions = []; this.custom = null; this.emit() },
      }, t('filter.clear'))))
    }
  }
}

if (!customElements.get('pc-filter')) customElements.define('pc-filter', FilterBuilder)
