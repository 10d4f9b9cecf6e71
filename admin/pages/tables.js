// Tables: every data table with its record count, and for each one the same
// browser as users (search, filter, sort, paging), a create form and a record
// page (edit, delete, the record's audit entries), all built from its schema.

import { h, mount } from '../dom.js'
import { t, fmtNumber } from '../i18n.js'
import { get, post, patch, del } from '../api.js'
import { pageHeader, card, badge, button, linkButton, confirmDialog, toast, errorBox, defList, shortId, empty, tableWrap } from '../ui.js'
import { icon } from '../icons.js'
import { tableType, fieldOf, cell, controlOf, isEditable } from '../fields.js'
import { schemaForm } from '../form.js'
import { recordBrowser } from '../browser.js'
import { auditList } from './audit.js'

const enc = encodeURIComponent

export async function renderTables(ctx) {
  const [list, schema] = await Promise.all([get('tables/'), get('schema/')])
  if (!ctx.alive()) return
  const rows = list.objects.map((x) => {
    const type = tableType(schema, x.name)
    const fields = type ? type.fields.filter(isEditable).map((f) => f.name) : []
    return h('tr', null,
      h('th', { scope: 'row' }, h('a', { href: `#/tables/${enc(x.name)}`, class: 'row-link' }, icon('tables'), h('span', null, x.name))),
      h('td', { class: 'num' }, fmtNumber(x.count)),
      h('td', { class: 'muted clip-cell' }, fields.join(', ') || '—'),
      h('td', { class: 'muted' }, type && type.description ? type.description : ''))
  })
  mount(ctx.view,
    pageHeader(t('tables.title'), { lead: t('tables.lead') }),
    list.objects.length
      ? tableWrap(h('table', { class: 'data' },
        h('caption', { class: 'visually-hidden' }, t('tables.title')),
        h('thead', null, h('tr', null,
          h('th', { scope: 'col' }, t('tables.name')),
          h('th', { scope: 'col', class: 'num' }, t('tables.records')),
          h('th', { scope: 'col' }, t('tables.fields')),
          h('th', { scope: 'col' }, t('tables.description')))),
        h('tbody', null, rows)), t('tables.title'))
      : empty(t('tables.none')))
}

/** The columns shown for a table: a link on the id, a few declared fields, owner and time. */
function columnsFor(table, type) {
  const shown = type.fields.filter((f) => isEditable(f) && ['text', 'enum', 'integer', 'number', 'bool', 'datetime', 'date', 'pointer', 'point'].includes(controlOf(f))).slice(0, 4)
  const sortable = (f) => !['geojson point', 'geojson polygon', 'object', 'array'].includes(f.kind)
  return [
    { key: 'id', label: 'id', sort: 'id', render: (r) => h('a', { href: `#/tables/${enc(table)}/${enc(r.id)}`, class: 'row-link mono' }, String(r.id)) },
    ...shown.map((f) => ({ key: f.name, label: f.name, sort: sortable(f) ? f.name : null, render: (r) => cell(f, r[f.name]) })),
    { key: 'created_by', label: 'created_by', sort: 'created_by', render: (r) => cell(fieldOf(type, 'created_by'), r.created_by) },
    { key: 'created_at', label: 'created_at', sort: 'created_at', render: (r) => cell(fieldOf(type, 'created_at'), r.created_at) },
  ]
}

async function loadType(ctx, table) {
  const schema = await get('schema/')
  const type = tableType(schema, table)
  if (!type) {
    mount(ctx.view, pageHeader(table, { crumbs: [{ label: t('tables.title'), href: '#/tables' }] }), errorBox(new Error(t('tables.unknown', { table }))))
    return null
  }
  return { schema, type }
}

export async function renderTable(ctx) {
  const table = ctx.params[0]
  const loaded = await loadType(ctx, table)
  if (!loaded || !ctx.alive()) return
  const { type } = loaded
  mount(ctx.view,
    pageHeader(table, {
      crumbs: [{ label: t('tables.title'), href: '#/tables' }, { label: table }],
      lead: type.description || null,
      actions: [linkButton(t('tables.new'), `#/tables/${enc(table)}/new`, { variant: 'primary', iconName: 'plus' })],
    }),
    recordBrowser({
      type, path: `tables/${enc(table)}/records/`, route: `#/tables/${enc(table)}`, query: ctx.query,
      columns: columnsFor(table, type), caption: t('tables.recordsOf', { table }), searchPlaceholder: t('tables.searchPlaceholder'),
    }))
}

export async function renderNew(ctx) {
  const table = ctx.params[0]
  const loaded = await loadType(ctx, table)
  if (!loaded || !ctx.alive()) return
  const { schema, type } = loaded
  const form = schemaForm({ type, schema, record: null, mode: 'create', idPrefix: 'rec' })
  const problem = h('div', { class: 'notice notice-danger', role: 'alert', hidden: true })
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, icon('plus'), h('span', null, t('tables.create')))
  const formEl = h('form', { class: 'record-form', novalidate: true }, form.el, problem,
    h('div', { class: 'form-actions' }, submit, h('a', { href: `#/tables/${enc(table)}`, class: 'btn btn-ghost' }, t('ui.cancel'))))
  formEl.addEventListener('submit', async (ev) => {
    ev.preventDefault()
    problem.hidden = true
    const { values, errors } = form.collect()
    if (errors.length) return
    submit.disabled = true
    try {
      const rec = await post(`tables/${enc(table)}/records/`, values)
      toast(t('tables.created', { id: rec.id }))
      ctx.navigate(`#/tables/${enc(table)}/${enc(rec.id)}`)
    } catch (e) {
      if (e.expired) return
      if (!form.showError(e)) {
        problem.replaceChildren(icon('alert'), h('p', null, e.message))
        problem.hidden = false
      }
    } finally {
      submit.disabled = false
    }
  })
  mount(ctx.view,
    pageHeader(t('tables.newTitle', { table }), { crumbs: [{ label: t('tables.title'), href: '#/tables' }, { label: table, href: `#/tables/${enc(table)}` }, { label: t('tables.new') }] }),
    card(t('tables.fieldsTitle'), formEl))
}

export async function renderRecord(ctx) {
  const [table, id] = ctx.params
  const loaded = await loadType(ctx, table)
  if (!loaded || !ctx.alive()) return
  const { schema, type } = loaded
  let current = await get(`tables/${enc(table)}/records/${enc(id)}/`)
  if (!ctx.alive()) return

  const form = schemaForm({ type, schema, record: current, mode: 'edit', idPrefix: 'rec' })
  const problem = h('div', { class: 'notice notice-danger', role: 'alert', hidden: true })
  const status = h('p', { class: 'save-status', role: 'status' })
  const save = h('button', { type: 'submit', class: 'btn btn-primary' }, icon('save'), h('span', null, t('form.save')))
  const formEl = h('form', { class: 'record-form', novalidate: true }, form.el, problem, h('div', { class: 'form-actions' }, save, status))

  const metaSlot = h('div')
  const auditSlot = h('div')
  function refreshMeta() {
    const builtins = type.fields.filter((f) => f.builtin)
    mount(metaSlot, defList(builtins.map((f) => {
      const v = current[f.name]
      const shown = Array.isArray(v) ? (v.length ? h('span', { class: 'badges' }, v.map((x) => badge(String(x)))) : h('span', { class: 'muted' }, t('tables.nobody'))) : cell(f, v)
      return [h('span', { class: 'mono' }, f.name), f.name === 'id' ? h('span', { class: 'mono break' }, String(v)) : shown]
    })))
  }
  async function refreshAudit() {
    try {
      const res = await get('audit/', { target_type: table, target_id: id, limit: 20 })
      if (ctx.alive()) mount(auditSlot, auditList(res.objects, { compact: true }))
    } catch (e) {
      if (!e.expired) mount(auditSlot, errorBox(e))
    }
  }

  formEl.addEventListener('submit', async (ev) => {
    ev.preventDefault()
    problem.hidden = true
    status.textContent = ''
    const { values, errors } = form.collect()
    if (errors.length) return
    if (!Object.keys(values).length) {
      status.textContent = t('form.nothingChanged')
      return
    }
    save.disabled = true
    try {
      current = await patch(`tables/${enc(table)}/records/${enc(id)}/`, values)
      form.reset(current)
      status.replaceChildren(icon('check'), h('span', null, t('form.saved')))
      toast(t('tables.saved'))
      refreshMeta()
      refreshAudit()
    } catch (e) {
      if (e.expired) return
      if (!form.showError(e)) {
        problem.replaceChildren(icon('alert'), h('p', null, e.message))
        problem.hidden = false
      }
      status.textContent = t('form.notSaved')
    } finally {
      save.disabled = false
    }
  })

  const remove = button(t('tables.delete'), async () => {
    const ok = await confirmDialog({ title: t('tables.deleteTitle'), message: t('tables.deleteText', { id, table }), confirmLabel: t('tables.delete'), danger: true })
    if (!ok) return
    try {
      await del(`tables/${enc(table)}/records/${enc(id)}/`)
      toast(t('tables.deleted', { id }))
      ctx.navigate(`#/tables/${enc(table)}`)
    } catch (e) {
      if (!e.expired) toast(e.message, 'danger')
    }
  }, { variant: 'danger', iconName: 'trash' })

  refreshMeta()
  mount(ctx.view,
    pageHeader(t('tables.recordTitle', { table }), {
      crumbs: [{ label: t('tables.title'), href: '#/tables' }, { label: table, href: `#/tables/${enc(table)}` }, { label: shortId(id) }],
      lead: h('span', { class: 'mono' }, id),
      actions: [remove],
    }),
    h('div', { class: 'grid-detail' },
      card(t('tables.fieldsTitle'), formEl, { cls: 'detail-main' }),
      h('div', { class: 'detail-side' },
        card(t('tables.meta'), metaSlot),
        card(t('users.activity'), auditSlot))))
  await refreshAudit()
}
