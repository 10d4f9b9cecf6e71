// Files: every stored file (search by name, filter by category, sortable
// columns, offset paging), the categories that sort them (add, rename and
// delete inline), and a file's page (its details, a link to its bytes, the
// record fields holding it, and deleting it after confirmation).

import { h, mount, uid, debounce } from '../dom.js'
import { t, fmtNumber, fmtBytes } from '../i18n.js'
import { get, del } from '../api.js'
import { timeView, pageHeader, card, badge, button, confirmDialog, toast, errorBox, defList, shortId, empty, tableWrap } from '../ui.js'
import { icon } from '../icons.js'
import { categoriesSection } from './file_categories.js'
import { PROFILE, pointerHref } from '../fields.js'

const enc = encodeURIComponent
const PAGE = 20
const ORDERS = ['created_at', '-created_at', 'name', '-name', 'size', '-size']
const DEFAULT_ORDER = '-created_at'

/** Whether the file is an image the console may show (its URL on this origin, as the CSP allows). */
function showable(file) {
  if (!file || typeof file.mime_type !== 'string' || !file.mime_type.startsWith('image/')) return false
  try {
    return new URL(file.path, document.baseURI).origin === window.location.origin
  } catch {
    return false
  }
}

/** A small preview of an image file, or a file icon for anything else. */
function thumbnail(file) {
  if (!showable(file)) return h('span', { class: 'thumb thumb-none' }, icon('file'))
  return h('img', { class: 'thumb', src: file.path, alt: t('files.previewOf', { name: file.name }), loading: 'lazy', decoding: 'async', width: '40', height: '40' })
}

/** The size in bytes, readable, with the exact count as a title. */
function sizeView(bytes) {
  if (bytes === null || bytes === undefined) return h('span', { class: 'muted' }, '—')
  return h('span', { class: 'nowrap', title: t('files.bytes', { n: fmtNumber(bytes) }) }, fmtBytes(bytes))
}

/** A file's category as a badge, or a dash. */
function categoryView(category) {
  if (!category || !category.name) return h('span', { class: 'muted' }, '—')
  return badge(category.name, 'accent')
}

/** The files page (#/files): the list with its search, filter and pager, then the categories. */
export async function render(ctx) {
  const q0 = ctx.query
  let q = q0.get('q') || ''
  let categoryId = q0.get('category') || ''
  let order = ORDERS.includes(q0.get('order')) ? q0.get('order') : DEFAULT_ORDER
  let pageIndex = Math.max(0, (Number.parseInt(q0.get('page') || '1', 10) || 1) - 1)
  let categories = []
  let seq = 0

  const ids = { search: uid('files-search'), category: uid('files-category'), list: uid('files-list') }
  const search = h('input', { id: ids.search, type: 'search', value: q, placeholder: t('files.searchPlaceholder'), autocomplete: 'off' })
  const select = h('select', { id: ids.category })
  const problem = h('div', { class: 'notice notice-danger', role: 'alert', hidden: true })
  const tbody = h('tbody')
  const headRow = h('tr')
  const table = h('table', { class: 'data files-table' }, h('caption', { class: 'visually-hidden' }, t('files.title')), h('thead', null, headRow), tbody)
  const info = h('p', { class: 'pager-info', role: 'status' })
  const prev = h('button', { type: 'button', class: 'btn btn-secondary btn-small', disabled: true }, icon('left'), h('span', null, t('pager.previous')))
  const next = h('button', { type: 'button', class: 'btn btn-secondary btn-small', disabled: true }, h('span', null, t('pager.next')), icon('right'))

  const columns = [
    { label: t('files.name'), sort: 'name', render: (f) => h('a', { href: `#/files/${enc(f.id)}`, class: 'row-link' }, h('span', { class: 'clip-name' }, f.name)) },
    { label: t('files.preview'), sort: null, render: thumbnail },
    { label: t('files.type'), sort: null, render: (f) => h('span', { class: 'mono small' }, f.mime_type || '—') },
    { label: t('files.size'), sort: 'size', num: true, render: (f) => sizeView(f.size) },
    { label: t('files.category'), sort: null, render: (f) => categoryView(f.category) },
    { label: t('files.created'), sort: 'created_at', render: (f) => timeView(f.created_at) },
  ]

  /** The `where` of the search and the category filter, or null. */
  function effectiveWhere() {
    const where = {}
    if (q) where.name = { $contains: q }
    if (categoryId) where.category_id = { $in: [categoryId] }
    return Object.keys(where).length ? where : null
  }

  /** Puts the search, filter, order and page into the address, without a new history entry. */
  function syncAddress() {
    const params = new URLSearchParams()
    if (q) params.set('q', q)
    if (categoryId) params.set('category', categoryId)
    if (order !== DEFAULT_ORDER) params.set('order', order)
    if (pageIndex > 0) params.set('page', String(pageIndex + 1))
    const qs = params.toString()
    history.replaceState(history.state, '', `#/files${qs ? `?${qs}` : ''}`)
  }

  /** The header row: sortable columns as buttons saying their order. */
  function renderHead() {
    headRow.replaceChildren(...columns.map((c) => {
      if (!c.sort) return h('th', { scope: 'col' }, c.label)
      const asc = order === c.sort
      const desc = order === `-${c.sort}`
      const arrow = h('span', { class: ['sort-arrow', (asc || desc) && 'active'], 'aria-hidden': 'true' }, desc ? '↓' : asc ? '↑' : '↕')
      return h('th', { scope: 'col', class: c.num ? 'num' : null, 'aria-sort': asc ? 'ascending' : desc ? 'descending' : 'none' },
        h('button', {
          type: 'button', class: 'sort',
          onclick: () => {
            order = asc ? `-${c.sort}` : c.sort
            pageIndex = 0
            renderHead()
            load()
            syncAddress()
          },
        }, h('span', null, c.label), arrow))
    }))
  }

  /** Loads and draws the current page of files (a newer load wins). */
  async function load() {
    const mine = ++seq
    table.setAttribute('aria-busy', 'true')
    const params = { order_by: order, limit: PAGE, offset: pageIndex * PAGE, return_total_count: 1 }
    const where = effectiveWhere()
    if (where) params.where = where
    let page
    try {
      page = await get('files/', params)
    } catch (e) {
      if (mine !== seq) return
      table.removeAttribute('aria-busy')
      if (e.expired) return
      problem.replaceChildren(icon('alert'), h('p', null, e.message))
      problem.hidden = false
      tbody.replaceChildren()
      info.textContent = ''
      prev.disabled = true
      next.disabled = true
      return
    }
    if (mine !== seq) return
    const rows = page.objects || []
    const meta = page.meta || {}
    const total = typeof meta.total_count === 'number' ? meta.total_count : null
    // A page past the end (files deleted meanwhile): show the last one instead.
    if (!rows.length && pageIndex > 0) {
      pageIndex = total ? Math.ceil(total / PAGE) - 1 : 0
      syncAddress()
      load()
      return
    }
    problem.hidden = true
    table.removeAttribute('aria-busy')
    const more = meta.next ? true : total !== null && pageIndex * PAGE + rows.length < total
    tbody.replaceChildren(...(rows.length
      ? rows.map((f) => h('tr', null, columns.map((c, i) => (i === 0
        ? h('th', { scope: 'row' }, c.render(f))
        : h('td', { class: c.num ? 'num' : null }, c.render(f))))))
      : [h('tr', null, h('td', { colspan: String(columns.length), class: 'empty-cell' }, where ? t('files.noMatch') : t('files.none')))]))
    const from = rows.length ? pageIndex * PAGE + 1 : 0
    const to = pageIndex * PAGE + rows.length
    info.textContent = !rows.length ? '' : total === null
      ? t('pager.range', { from: fmtNumber(from), to: fmtNumber(to) })
      : t('pager.rangeOf', { from: fmtNumber(from), to: fmtNumber(to), total: fmtNumber(total) })
    prev.disabled = pageIndex === 0
    next.disabled = !more
  }

  /** Fills the category filter from `categories`, keeping the choice while it exists. */
  function fillSelect() {
    const known = categories.some((c) => c.id === categoryId)
    mount(select,
      h('option', { value: '' }, t('files.allCategories')),
      categories.map((c) => h('option', { value: c.id }, c.name)),
      // A category named by the address but not among those loaded still shows.
      categoryId && !known ? h('option', { value: categoryId }, shortId(categoryId)) : null)
    select.value = categoryId
  }

  prev.addEventListener('click', () => {
    if (pageIndex === 0) return
    pageIndex -= 1
    load()
    syncAddress()
  })
  next.addEventListener('click', () => {
    pageIndex += 1
    load()
    syncAddress()
  })
  search.addEventListener('input', debounce(() => {
    q = search.value.trim()
    pageIndex = 0
    load()
    syncAddress()
  }, 300))
  search.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') e.preventDefault()
  })
  select.addEventListener('change', () => {
    categoryId = select.value
    pageIndex = 0
    load()
    syncAddress()
  })

  const cats = categoriesSection({
    onChange: (list, { deleted, initial } = {}) => {
      categories = list
      if (deleted && deleted === categoryId) {
        categoryId = ''
        pageIndex = 0
        syncAddress()
      }
      fillSelect()
      // The categories shown in the file list follow a rename or a delete.
      if (!initial) load()
    },
  })

  renderHead()
  fillSelect()
  mount(ctx.view,
    pageHeader(t('files.title'), { lead: t('files.lead') }),
    h('section', { class: 'browser', 'aria-labelledby': ids.list },
      h('h2', { id: ids.list, class: 'visually-hidden' }, t('files.list')),
      h('div', { class: 'browser-tools card files-tools' },
        h('div', { class: 'search-box' },
          h('label', { for: ids.search, class: 'search-label' }, icon('search'), h('span', null, t('files.search'))),
          search),
        h('div', { class: 'search-box' },
          h('label', { for: ids.category, class: 'search-label' }, icon('filter'), h('span', null, t('files.category'))),
          select)),
      problem,
      tableWrap(table, t('files.title')),
      h('div', { class: 'pager' }, info, h('div', { class: 'pager-buttons' }, prev, next))),
    cats.el)
  await Promise.all([load(), cats.load({ initial: true })])
}

// ---- categories -------------------------------------------------------------

/** Where a record holding a file is shown in the console, and how it is named. */
function holderLink(holder) {
  const href = pointerHref(holder.object_type, holder.record_id)
  if (holder.object_type === PROFILE) return h('a', { href }, t('files.user', { id: holder.record_id }))
  return h('a', { href, class: 'mono', title: holder.record_id }, `${holder.object_type} · ${shortId(holder.record_id)}`)
}

/** One file's page (#/files/<id>): details, preview, the records holding it, delete. */
export async function renderFile(ctx) {
  const id = ctx.params[0]
  const file = await get(`files/${enc(id)}/`)
  if (!ctx.alive()) return
  const held = file.held_by || []
  const problem = h('div')

  const open = h('a', { class: 'btn btn-secondary', href: file.path, target: '_blank', rel: 'noopener noreferrer' },
    icon('external'), h('span', null, t('files.open')), h('span', { class: 'visually-hidden' }, ` ${t('files.newTab')}`))
  const remove = button(t('files.delete'), async () => {
    mount(problem)
    const ok = await confirmDialog({
      title: t('files.deleteTitle', { name: file.name }),
      message: held.length ? t('files.deleteHeld', { n: held.length }) : t('files.deleteText'),
      confirmLabel: t('files.delete'),
      danger: true,
    })
    if (!ok) return
    remove.disabled = true
    try {
      await del(`files/${enc(id)}/`)
      toast(t('files.deleted', { name: file.name }))
      ctx.navigate('#/files')
    } catch (e) {
      if (e.expired) return
      mount(problem, errorBox(e))
      remove.disabled = false
      remove.focus()
    }
  }, { variant: 'danger', iconName: 'trash' })

  const details = defList([
    [t('files.id'), h('span', { class: 'mono break' }, file.id)],
    [t('files.type'), h('span', { class: 'mono' }, file.mime_type || '—')],
    [t('files.size'), file.size === null || file.size === undefined ? '—' : `${fmtBytes(file.size)} (${t('files.bytes', { n: fmtNumber(file.size) })})`],
    [t('files.category'), file.category && file.category.id && file.category.name
      ? h('a', { href: `#/files?category=${enc(file.category.id)}`, title: t('files.inCategory', { name: file.category.name }) }, file.category.name)
      : categoryView(file.category)],
    [t('files.created'), timeView(file.created_at)],
    [t('files.link'), h('a', { href: file.path, class: 'mono break', target: '_blank', rel: 'noopener noreferrer' }, file.path, h('span', { class: 'visually-hidden' }, ` ${t('files.newTab')}`))],
    file.cdn_path && file.cdn_path !== file.path
      ? [t('files.cdnLink'), h('a', { href: file.cdn_path, class: 'mono break', target: '_blank', rel: 'noopener noreferrer' }, file.cdn_path, h('span', { class: 'visually-hidden' }, ` ${t('files.newTab')}`))]
      : null,
  ])

  const heldView = held.length
    ? tableWrap(h('table', { class: 'data' },
      h('caption', { class: 'visually-hidden' }, t('files.heldBy')),
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('files.record')), h('th', { scope: 'col' }, t('files.field')))),
      h('tbody', null, held.map((x) => h('tr', null,
        h('th', { scope: 'row' }, holderLink(x)),
        h('td', { class: 'mono' }, x.field))))), t('files.heldBy'))
    : empty(t('files.heldNone'))

  mount(ctx.view,
    pageHeader(file.name, {
      crumbs: [{ label: t('files.title'), href: '#/files' }, { label: shortId(file.id) }],
      badges: file.category && file.category.name ? [categoryView(file.category)] : null,
      actions: [open, remove],
    }),
    problem,
    h('div', { class: 'grid-detail' },
      h('div', { class: 'detail-main' },
        card(t('files.details'), details),
        showable(file) ? card(t('files.preview'), h('img', { class: 'file-preview', src: file.path, alt: t('files.previewOf', { name: file.name }), decoding: 'async' })) : null),
      h('div', { class: 'detail-side' },
        card(t('files.heldBy'), heldView))))
}
