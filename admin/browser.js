// The list of users or of a table's records: a search box, the filter builder,
// sortable column headers and paging. Paging asks for the total only on the
// first page and moves forward with `since` (keyset: the last id shown), so it
// stays fast on large tables; "previous" goes back through the anchors seen.
// The search, filter and order live in the address (#/users?q=…&where=…&order=…).

import { h, uid, debounce } from './dom.js'
import { t, fmtNumber } from './i18n.js'
import { get } from './api.js'
import { icon } from './icons.js'
import { tableWrap } from './ui.js'
import { searchWhere } from './form.js'
import './filter.js'

const PAGE = 20

/**
 * columns: [{key, label, sort (a field name, or null), render(row)}]
 * path: the API list path; route: the console route (#/users) for the address
 * type: the schema type; users: whether these are users
 */
export function recordBrowser({ type, path, route, query, columns, caption, users = false, searchPlaceholder, defaultOrder = '-created_at' }) {
  let q = query.get('q') || ''
  let filterWhere = null
  try {
    filterWhere = query.get('where') ? JSON.parse(query.get('where')) : null
  } catch {
    filterWhere = null
  }
  let order = query.get('order') || defaultOrder
  let anchors = [null]
  let pageIndex = 0
  let total = null
  let seq = 0

  const searchId = uid('search')
  const search = h('input', { id: searchId, type: 'search', value: q, placeholder: searchPlaceholder || '', autocomplete: 'off' })
  const filter = document.createElement('pc-filter')
  filter.configure({ fields: type.fields, where: filterWhere })

  const problem = h('div', { class: 'notice notice-danger', role: 'alert', hidden: true })
  const tbody = h('tbody')
  const headRow = h('tr')
  const table = h('table', { class: 'data' }, h('caption', { class: 'visually-hidden' }, caption), h('thead', null, headRow), tbody)
  const wrap = tableWrap(table, caption)
  const info = h('p', { class: 'pager-info', role: 'status' })
  const prev = h('button', { type: 'button', class: 'btn btn-secondary btn-small', disabled: true }, icon('left'), h('span', null, t('pager.previous')))
  const next = h('button', { type: 'button', class: 'btn btn-secondary btn-small', disabled: true }, h('span', null, t('pager.next')), icon('right'))

  function effectiveWhere() {
    const parts = []
    const s = searchWhere(type, q, { users })
    if (s) parts.push(s)
    if (filterWhere) parts.push(filterWhere)
    if (!parts.length) return null
    return parts.length === 1 ? parts[0] : { $and: parts }
  }

  function syncAddress() {
    const params = new URLSearchParams()
    if (q) params.set('q', q)
    if (filterWhere) params.set('where', JSON.stringify(filterWhere))
    if (order && order !== defaultOrder) params.set('order', order)
    const qs = params.toString()
    history.replaceState(history.state, '', `${route}${qs ? `?${qs}` : ''}`)
  }

  function renderHead() {
    headRow.replaceChildren(...columns.map((c) => {
      if (!c.sort) return h('th', { scope: 'col' }, c.label)
      const asc = order === c.sort
      const desc = order === `-${c.sort}`
      const label = h('span', null, c.label)
      const arrow = h('span', { class: ['sort-arrow', (asc || desc) && 'active'], 'aria-hidden': 'true' }, desc ? '↓' : asc ? '↑' : '↕')
      return h('th', { scope: 'col', 'aria-sort': asc ? 'ascending' : desc ? 'descending' : 'none' },
        h('button', {
          type: 'button', class: 'sort',
          onclick: () => {
            order = asc ? `-${c.sort}` : c.sort
            reset()
            renderHead()
            load()
            syncAddress()
          },
        }, label, arrow))
    }))
  }

  function reset() {
    anchors = [null]
    pageIndex = 0
    total = null
  }

  async function load() {
    const mine = ++seq
    table.setAttribute('aria-busy', 'true')
    const params = { order_by: order, limit: PAGE + 1 }
    const where = effectiveWhere()
    if (where) params.where = where
    if (pageIndex === 0) params.return_total_count = 1
    if (anchors[pageIndex]) params.since = anchors[pageIndex]
    let page
    try {
      page = await get(path, params)
    } catch (e) {
      if (mine !== seq) return
      table.removeAttribute('aria-busy')
      if (e.expired) return
      if (e.field === 'where') {
        filter.showApiError(e.message)
      } else {
        problem.replaceChildren(icon('alert'), h('p', null, e.message))
        problem.hidden = false
      }
      tbody.replaceChildren()
      info.textContent = ''
      prev.disabled = true
      next.disabled = true
      return
    }
    if (mine !== seq) return
    problem.hidden = true
    table.removeAttribute('aria-busy')
    const rows = page.objects.slice(0, PAGE)
    const more = page.objects.length > PAGE
    if (pageIndex === 0 && page.meta && typeof page.meta.total_count === 'number') total = page.meta.total_count
    anchors[pageIndex + 1] = more && rows.length ? String(rows[rows.length - 1].id) : null
    tbody.replaceChildren(...(rows.length
      ? rows.map((row) => h('tr', null, columns.map((c, i) => (i === 0 ? h('th', { scope: 'row' }, c.render(row)) : h('td', null, c.render(row))))))
      : [h('tr', null, h('td', { colspan: String(columns.length), class: 'empty-cell' }, effectiveWhere() ? t('list.noMatch') : t('list.empty')))]))
    const from = rows.length ? pageIndex * PAGE + 1 : 0
    const to = pageIndex * PAGE + rows.length
    info.textContent = !rows.length ? '' : total === null
      ? t('pager.range', { from: fmtNumber(from), to: fmtNumber(to) })
      : t('pager.rangeOf', { from: fmtNumber(from), to: fmtNumber(to), total: fmtNumber(total) })
    prev.disabled = pageIndex === 0
    next.disabled = !more
  }

  prev.addEventListener('click', () => {
    if (pageIndex === 0) return
    pageIndex -= 1
    load()
  })
  next.addEventListener('click', () => {
    if (!anchors[pageIndex + 1]) return
    pageIndex += 1
    load()
  })
  const onSearch = debounce(() => {
    q = search.value.trim()
    reset()
    load()
    syncAddress()
  }, 300)
  search.addEventListener('input', onSearch)
  search.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') e.preventDefault()
  })
  filter.addEventListener('filterchange', (e) => {
    filterWhere = e.detail.where
    reset()
    load()
    syncAddress()
  })

  renderHead()
  load()

  return h('div', { class: 'browser' },
    h('div', { class: 'browser-tools card' },
      h('div', { class: 'search-box' },
        h('label', { for: searchId, class: 'search-label' }, icon('search'), h('span', null, t('list.search'))),
        search),
      filter),
    problem,
    wrap,
    h('div', { class: 'pager' }, info, h('div', { class: 'pager-buttons' }, prev, next)))
}
