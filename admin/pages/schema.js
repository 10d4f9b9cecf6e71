// Schema: the live version, the reload button and the last reload error (with
// file and JSON pointer), every type with its fields, kinds and rules, the raw
// file, and the history of applied versions.

import { h, mount } from '../dom.js'
import { t, fmtTime, fmtNumber } from '../i18n.js'
import { get, api } from '../api.js'
import { pageHeader, card, badge, button, toast, jsonBlock, defList, empty, tableWrap } from '../ui.js'
import { icon } from '../icons.js'
import { enumOf } from '../fields.js'

function errorPanel(err) {
  if (!err) return h('p', { class: 'ok-line', role: 'status' }, icon('check'), t('schema.noErrors'))
  return h('div', { class: 'notice notice-danger schema-error', role: 'alert' },
    icon('alert'),
    h('div', null,
      h('strong', null, t('schema.reloadFailed')),
      h('dl', { class: 'deflist compact' },
        h('div', null, h('dt', null, t('schema.file')), h('dd', { class: 'mono' }, err.file || '—')),
        h('div', null, h('dt', null, t('schema.pointer')), h('dd', { class: 'mono' }, err.pointer ? err.pointer : t('schema.wholeFile'))),
        err.at ? h('div', null, h('dt', null, t('schema.when')), h('dd', null, fmtTime(err.at))) : null),
      h('p', { class: 'error-message' }, err.message || err.error_msg || ''),
      h('p', { class: 'muted' }, t('schema.keepsServing'))))
}

function flags(f) {
  const out = []
  if (f.builtin) out.push(badge(t('schema.builtin'), 'neutral'))
  if (f.required) out.push(badge(t('schema.required'), 'warn'))
  if (f.unique) out.push(badge(f.case_insensitive ? t('schema.uniqueCi') : t('schema.unique'), 'accent'))
  if (f.indexed) out.push(badge(t('schema.indexed'), 'accent'))
  if (f.immutable) out.push(badge(t('schema.immutable'), 'neutral'))
  return out
}

function pointerText(p) {
  if (!p) return null
  if (typeof p === 'string') return p
  return t('rule.typeField', { f: p.type_field })
}

function fieldRow(f) {
  const en = enumOf(f)
  const sch = f.schema || {}
  const limits = []
  if (f.pointer) limits.push(`→ ${pointerText(f.pointer)}`)
  if (sch.format) limits.push(`format ${sch.format}`)
  for (const k of ['minLength', 'maxLength', 'minimum', 'maximum', 'maxItems', 'pattern']) if (sch[k] !== undefined) limits.push(`${k} ${sch[k]}`)
  if (en) limits.push(`enum ${en.map((v) => JSON.stringify(v)).join(', ')}`)
  if (f.default !== null && f.default !== undefined) limits.push(`default ${JSON.stringify(f.default)}`)
  return h('tr', null,
    h('th', { scope: 'row' }, h('span', { class: 'mono' }, f.name), sch.description ? h('span', { class: 'field-desc' }, sch.description) : null),
    h('td', null, f.kind),
    h('td', { class: 'nowrap' }, h('span', { class: `perm perm-${f.read}` }, f.read), ' / ', h('span', { class: `perm perm-${f.write}` }, f.write)),
    h('td', null, h('span', { class: 'badges' }, flags(f))),
    h('td', { class: 'small constraints' }, limits.length ? limits.join(' · ') : h('span', { class: 'muted' }, '—')))
}

function fieldsTable(fields, caption) {
  return tableWrap(h('table', { class: 'data fields-table' },
    h('caption', { class: 'visually-hidden' }, caption),
    h('thead', null, h('tr', null, [t('schema.field'), t('schema.kind'), t('schema.readWrite'), t('schema.flags'), t('schema.constraints')].map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', null, fields.map(fieldRow))), caption)
}

function typeView(type) {
  const declared = type.fields.filter((f) => !f.builtin)
  const builtin = type.fields.filter((f) => f.builtin)
  const rules = type.rules
  const ruleList = rules
    ? defList([
      [t('schema.ruleCreate'), aclText(rules.create)],
      [t('schema.ruleRead'), aclText(rules.read, 'schema.creatorAndAdmins')],
      [t('schema.ruleWrite'), aclText(rules.write, 'schema.creatorAndAdmins')],
      [t('schema.clientAcl'), rules.client_acl ? t('ui.yes') : t('ui.no')],
      [t('schema.maxPerOwner'), rules.max_per_owner === null || rules.max_per_owner === undefined ? '—' : String(rules.max_per_owner)],
      [t('schema.uniqueRules'), rules.unique && rules.unique.length
        ? h('ul', { class: 'plain' }, rules.unique.map((u) => h('li', { class: 'mono' }, u.fields.join(' + '), u.where && Object.keys(u.where).length ? ` where ${JSON.stringify(u.where)}` : '', u.case_insensitive ? ' (ci)' : '')))
        : '—'],
    ], 'rules')
    : h('p', { class: 'muted' }, t('schema.profileRules'))
  return [
    type.description ? h('p', { class: 'card-lead' }, type.description) : null,
    declared.length ? fieldsTable(declared, t('schema.fieldsOf', { type: type.name })) : h('p', { class: 'empty' }, t('form.noFields')),
    h('details', { class: 'raw' },
      h('summary', null, t('schema.builtinFields', { n: builtin.length })),
      fieldsTable(builtin, t('schema.builtinFields', { n: builtin.length }))),
    h('h3', null, t('schema.rules')),
    ruleList,
    h('details', { class: 'raw' }, h('summary', null, t('schema.raw', { file: `${type.name}.json` })), jsonBlock(type.raw, t('schema.raw', { file: `${type.name}.json` }))),
  ]
}

function aclText(list, emptyKey = 'schema.adminsOnly') {
  if (!list || !list.length) return h('span', { class: 'muted' }, t(emptyKey))
  return h('span', { class: 'badges' }, list.map((x) => badge(x, 'neutral')))
}

function historyView(versions) {
  if (!versions.length) return empty(t('schema.noHistory'))
  return h('ol', { class: 'history' }, versions.map((v) => h('li', null,
    h('div', { class: 'history-head' },
      h('strong', null, t('schema.versionN', { n: v.id })),
      h('span', { class: 'mono muted' }, v.digest ? v.digest.slice(0, 12) : ''),
      h('span', null, fmtTime(v.applied_at)),
      h('span', { class: 'mono small' }, v.applied_by || ''),
      badge(t('schema.ddlCount', { n: Array.isArray(v.ddl) ? v.ddl.length : 0 }), Array.isArray(v.ddl) && v.ddl.length ? 'accent' : 'neutral')),
    h('details', null,
      h('summary', null, t('schema.details')),
      h('h3', { class: 'h-small' }, t('schema.files')),
      h('ul', { class: 'plain mono small' }, Object.entries(v.files || {}).map(([name, sha]) => h('li', null, `${name}  ${String(sha || '').slice(0, 12)}`))),
      h('h3', { class: 'h-small' }, 'DDL'),
      Array.isArray(v.ddl) && v.ddl.length ? h('pre', { class: 'json', tabindex: '0' }, v.ddl.join(';\n') + ';') : h('p', { class: 'muted' }, t('schema.noDdl'))))))
}

export async function render(ctx) {
  const selected = ctx.query.get('type')
  const [schema, history] = await Promise.all([get('schema/'), get('schema/history/')])
  if (!ctx.alive()) return

  const errorSlot = h('div', { class: 'error-slot' }, errorPanel(schema.last_error))
  const versionText = h('span', null, String(schema.version))
  const reload = button(t('schema.reload'), async () => {
    reload.disabled = true
    try {
      const res = await api('POST', 'schema/reload/')
      toast(res.changed ? t('schema.reloadedChanged', { v: res.version, n: (res.ddl || []).length }) : t('schema.reloadedSame', { v: res.version }))
      ctx.rerender()
    } catch (e) {
      if (e.expired) return
      if (e.status === 409) {
        mount(errorSlot, errorPanel({ file: e.body && e.body.file, pointer: e.body && e.body.pointer, message: e.message, at: Math.floor(Date.now() / 1000) }))
      } else {
        toast(e.message, 'danger')
      }
    } finally {
      reload.disabled = false
    }
  }, { variant: 'primary', iconName: 'reload' })

  const types = schema.types
  const current = types.find((x) => x.name === selected) || types[0]
  const typeNav = h('ul', { class: 'type-nav' }, types.map((x) => h('li', null,
    h('a', { href: `#/schema?type=${encodeURIComponent(x.name)}`, 'aria-current': x === current ? 'true' : null },
      h('span', { class: 'mono' }, x.name),
      h('span', { class: 'muted small' }, x.class === 'profile' ? t('schema.profile') : t('schema.fieldCount', { n: x.fields.filter((f) => !f.builtin).length }))))))

  mount(ctx.view,
    pageHeader(t('schema.title'), { lead: t('schema.lead'), actions: [reload] }),
    h('div', { class: 'grid-2' },
      card(t('schema.status'), [
        defList([
          [t('schema.version'), versionText],
          [t('schema.digest'), h('span', { class: 'mono break' }, schema.digest)],
          [t('schema.dir'), h('span', { class: 'mono break' }, schema.dir)],
          [t('schema.types'), fmtNumber(types.length)],
        ]),
        errorSlot,
      ], { cls: 'span-2' })),
    h('div', { class: 'schema-layout' },
      h('nav', { class: 'card type-nav-card', 'aria-label': t('schema.types') }, typeNav),
      card(current.name, typeView(current), { cls: 'type-card', actions: current.class === 'table' ? h('a', { href: `#/tables/${encodeURIComponent(current.name)}`, class: 'small-link' }, t('schema.browse')) : h('a', { href: '#/users', class: 'small-link' }, t('schema.browseUsers')) })),
    card(t('schema.history'), historyView(history.objects || [])))
}
