// Overview: user totals, sign-ups per day (30 days), tables and their record
// counts, the mail outbox, and the schema's version with its last reload error.

import { h, mount } from '../dom.js'
import { t, fmtNumber, fmtDay, fmtTime } from '../i18n.js'
import { get } from '../api.js'
import { pageHeader, card, badge, empty } from '../ui.js'
import { icon } from '../icons.js'
import '../chart.js'

function stat(label, value, { kind, href, note } = {}) {
  return h('div', { class: ['stat', kind && `stat-${kind}`] },
    h('dt', null, label),
    h('dd', null, href ? h('a', { href, class: 'stat-value' }, value) : h('span', { class: 'stat-value' }, value),
      note ? h('span', { class: 'stat-note' }, note) : null))
}

export async function render(ctx) {
  const data = await get('overview/')
  if (!ctx.alive()) return
  const signups = data.signups || []
  const lastWeek = signups.slice(-7).reduce((n, d) => n + d.count, 0)
  const month = signups.reduce((n, d) => n + d.count, 0)

  const stats = h('dl', { class: 'stats' },
    stat(t('overview.users'), fmtNumber(data.users), { href: '#/users', note: t('overview.newThisWeek', { n: fmtNumber(lastWeek) }) }),
    stat(t('overview.anonymous'), fmtNumber(data.anonymous), { href: `#/users?where=${encodeURIComponent(JSON.stringify({ _anonymous: { $eq: true } }))}` }),
    stat(t('overview.disabled'), fmtNumber(data.disabled), { kind: data.disabled ? 'warn' : null, href: `#/users?where=${encodeURIComponent(JSON.stringify({ _disabled: { $eq: true } }))}` }),
    stat(t('overview.outboxQueued'), fmtNumber(data.outbox.queued)),
    stat(t('overview.outboxFailed'), fmtNumber(data.outbox.failed), { kind: data.outbox.failed ? 'danger' : null }))

  const chart = document.createElement('pc-bar-chart')
  chart.label = t('overview.chartLabel', { n: month, max: Math.max(0, ...signups.map((d) => d.count)) })
  chart.data = signups.map((d) => ({ label: fmtDay(d.day), value: d.count, title: t('overview.barTitle', { day: fmtDay(d.day, { dateStyle: 'medium' }), n: d.count }) }))

  const schema = data.schema || {}
  const err = schema.last_error
  const schemaBody = h('div', { class: 'schema-state' },
    h('dl', { class: 'deflist compact' },
      h('div', null, h('dt', null, t('schema.version')), h('dd', null, String(schema.version ?? '—'))),
      h('div', null, h('dt', null, t('schema.digest')), h('dd', { class: 'mono' }, schema.digest ? schema.digest.slice(0, 16) : '—'))),
    err
      ? h('div', { class: 'notice notice-danger', role: 'alert' }, icon('alert'),
        h('div', null, h('strong', null, t('schema.reloadFailed')),
          h('p', null, h('span', { class: 'mono' }, `${err.file || ''}${err.pointer ? ` ${err.pointer}` : ''}`), ' — ', err.message),
          err.at ? h('p', { class: 'muted' }, fmtTime(err.at)) : null))
      : h('p', { class: 'ok-line' }, icon('check'), t('schema.noErrors')),
    h('p', null, h('a', { href: '#/schema' }, t('overview.openSchema'))))

  const tables = Array.isArray(data.tables) ? data.tables : []
  const tablesBody = tables.length
    ? h('ul', { class: 'table-list' }, tables.map((x) => h('li', null,
      h('a', { href: `#/tables/${encodeURIComponent(x.name)}` }, icon('tables'), h('span', null, x.name)),
      h('span', { class: 'count' }, t('overview.records', { n: fmtNumber(x.count) })))))
    : empty(data.tables === null ? t('overview.noTableScope') : t('overview.noTables'))

  mount(ctx.view,
    pageHeader(t('overview.title'), { lead: t('overview.lead') }),
    h('section', { class: 'stats-wrap', 'aria-label': t('overview.numbers') }, stats),
    h('div', { class: 'grid-2' },
      card(t('overview.signups'), [
        h('p', { class: 'card-lead' }, t('overview.signupsLead', { n: fmtNumber(month) })),
        chart,
      ], { cls: 'span-2' }),
      card(t('overview.tables'), tablesBody, { actions: badge(fmtNumber(tables.length)) }),
      card(t('overview.schema'), schemaBody)))
}
