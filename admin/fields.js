// What the console knows about the schema's fields: which control edits a
// field, which query operators apply to it, how its value is shown in a list.

import { h } from './dom.js'
import { t, has, fmtTime } from './i18n.js'

export const PROFILE = '_userprofile'

/** The profile type of a `GET schema/` answer. */
export function profileType(schema) {
  return schema.types.find((x) => x.class === 'profile') || schema.types.find((x) => x.name === PROFILE)
}

/** A table type by name, or undefined. */
export function tableType(schema, name) {
  return schema.types.find((x) => x.class === 'table' && x.name === name)
}

/** A field of a type by name. */
export function fieldOf(type, name) {
  return type.fields.find((f) => f.name === name)
}

/** The allowed values, from the field's description or its raw JSON Schema. */
export function enumOf(field) {
  if (Array.isArray(field.enum) && field.enum.length) return field.enum
  const raw = field.schema && field.schema.enum
  return Array.isArray(raw) && raw.length ? raw : null
}

/** Whether admins edit this field in forms: declared fields, never account fields. */
export function isEditable(field) {
  return !field.builtin && !field.computed && !field.name.startsWith('_')
}

/** Built-in times in unix seconds (created_at, updated_at). */
export function isUnixTime(field) {
  return field.builtin && field.kind === 'integer' && /_at$/.test(field.name)
}

/** The raw JSON Schema `format` of a string field. */
function format(field) {
  return field.schema && typeof field.schema.format === 'string' ? field.schema.format : null
}

/**
 * The control that edits a field: enum, bool, integer, number, datetime,
 * date, pointer, point, json, longtext or text.
 */
export function controlOf(field) {
  if (enumOf(field)) return 'enum'
  switch (field.kind) {
    case 'boolean': return 'bool'
    case 'integer': return field.pointer ? 'pointer' : 'integer'
    case 'number': return 'number'
    case 'date': return 'datetime'
    case 'pointer': return 'pointer'
    case 'geojson point': return 'point'
    case 'geojson polygon':
    case 'object':
    case 'array': return 'json'
    default: {
      if (field.pointer) return 'pointer'
      const f = format(field)
      if (f === 'date') return 'date'
      if (f === 'date-time') return 'datetime'
      const max = field.schema && field.schema.maxLength
      return !f && max > 300 ? 'longtext' : 'text'
    }
  }
}

/** The table a pointer field names: a table name, `_userprofile`, or (by type_field) what valueOf(field) says. */
export function pointerTable(field, valueOf) {
  const p = field.pointer
  if (!p) return null
  if (typeof p === 'string') return p
  if (p.type_field && valueOf) return valueOf(p.type_field) || null
  return null
}

/** "string · at most 64 characters" style summary of a field's rules. */
export function ruleSummary(field) {
  const sch = field.schema || {}
  const parts = [has(`kind.${field.kind}`) ? t(`kind.${field.kind}`) : field.kind]
  if (sch.format && field.kind !== 'date') parts.push(sch.format)
  if (field.kind === 'geojson point') parts.push(t('rule.lngLat'))
  if (field.kind === 'geojson polygon') parts.push(t('rule.polygon'))
  if (sch.minLength !== undefined && sch.maxLength !== undefined) parts.push(t('rule.lengthBetween', { min: sch.minLength, max: sch.maxLength }))
  else if (sch.maxLength !== undefined) parts.push(t('rule.maxLength', { n: sch.maxLength }))
  else if (sch.minLength !== undefined) parts.push(t('rule.minLength', { n: sch.minLength }))
  if (sch.minimum !== undefined) parts.push(`≥ ${sch.minimum}`)
  if (sch.maximum !== undefined) parts.push(`≤ ${sch.maximum}`)
  if (sch.maxItems !== undefined) parts.push(t('rule.maxItems', { n: sch.maxItems }))
  if (sch.pattern) parts.push(t('rule.pattern', { p: sch.pattern }))
  const en = enumOf(field)
  if (en) parts.push(t('rule.oneOf', { values: en.map((v) => JSON.stringify(v)).join(', ') }))
  if (field.pointer) {
    const target = typeof field.pointer === 'string' ? field.pointer : t('rule.typeField', { f: field.pointer.type_field })
    parts.push(t('rule.pointer', { table: target }))
  }
  if (field.write === 'admin') parts.push(t('rule.writeAdmin'))
  if (field.write === 'nobody') parts.push(t('rule.writeNobody'))
  if (field.computed) parts.push(t('rule.computed'))
  if (field.generated) parts.push(t('rule.generated'))
  if (field.masked) parts.push(t('rule.masked'))
  return parts.join(' · ')
}

/** The operand shapes the filter builder can take a value for. */
const ENTERABLE = new Set(['value', 'values', 'range', 'flag', 'text', 'pattern', 'key'])

/**
 * The query operators the filter builder offers on a field: the server's own
 * table for the field's kind (`field.operators` from the schema API), less
 * those it has no input for (geometries), and only equality and membership
 * on a field with an enum.
 */
export function operatorsFor(field) {
  const ops = (field.operators || []).filter((o) => ENTERABLE.has(o.operand))
  const shown = enumOf(field) ? ops.filter((o) => ['value', 'values', 'flag'].includes(o.operand) && !['$lt', '$lte', '$gt', '$gte'].includes(o.name)) : ops
  return shown.map((o) => o.name)
}

/** The operand shape of `op` on `field` ('value' when unknown). */
export function operandOf(field, op) {
  const found = (field?.operators || []).find((o) => o.name === op)
  return found ? found.operand : 'value'
}

/** "2024-05-01T10:00:00Z" (or unix seconds) as the value of a datetime-local input. */
export function toLocalInput(value) {
  if (value === null || value === undefined || value === '') return ''
  const d = typeof value === 'number' ? new Date(value * 1000) : new Date(value)
  if (Number.isNaN(d.getTime())) return ''
  const pad = (n) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
}

/** A datetime-local input's value as a Date (local time), or null. */
export function fromLocalInput(text) {
  if (!text) return null
  const d = new Date(text)
  return Number.isNaN(d.getTime()) ? null : d
}

/** The id a pointer value holds ({id, _table} or a bare id). */
export function pointerId(value) {
  if (value && typeof value === 'object') return value.id
  return value
}

/** Where a pointer value leads in the console. */
export function pointerHref(table, id) {
  if (id === null || id === undefined || !table) return null
  return table === PROFILE ? `#/users/${encodeURIComponent(id)}` : `#/tables/${encodeURIComponent(table)}/${encodeURIComponent(id)}`
}

function clip(text, n = 80) {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text
}

/** A value as shown in a list cell. */
export function cell(field, value) {
  if (value === null || value === undefined || value === '') return h('span', { class: 'muted' }, '—')
  if (field && isUnixTime(field)) return h('time', { datetime: new Date(value * 1000).toISOString() }, fmtTime(value))
  if (field && (field.pointer || field.kind === 'pointer')) {
    const table = value && typeof value === 'object' ? value._table : pointerTable(field)
    const id = pointerId(value)
    const href = pointerHref(table, id)
    return href ? h('a', { href, class: 'mono' }, String(id)) : h('span', { class: 'mono' }, String(id))
  }
  if (typeof value === 'boolean') return h('span', { class: value ? 'bool-yes' : 'bool-no' }, value ? t('ui.yes') : t('ui.no'))
  if (field && field.kind === 'geojson point' && value.coordinates) return h('span', { class: 'mono' }, pointText(value))
  if (field && field.kind === 'file') return fileLink(value)
  if (field && field.kind === 'file list' && Array.isArray(value)) return h('span', {}, ...value.map(fileLink))
  if (typeof value === 'object') return h('code', { class: 'mono clip' }, clip(JSON.stringify(value), 60))
  return clip(String(value))
}

/** A stored file as a link to its bytes, named by its file name. */
function fileLink(file) {
  if (!file || typeof file.path !== 'string') return h('span', { class: 'muted' }, '—')
  return h('a', { href: file.path, class: 'file-link', target: '_blank', rel: 'noopener' }, clip(String(file.name || file.id), 40))
}

/** A GeoJSON point as "lng, lat". */
export function pointText(value) {
  if (!value || !Array.isArray(value.coordinates)) return ''
  const [lng, lat] = value.coordinates
  return `${lng}, ${lat}`
}
