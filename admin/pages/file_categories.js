// File categories on the Files page: the list with each one's file count,
// and adding, renaming and deleting them inline (each change audited by the
// server). Form errors show next to the form that caused them.

import { h, mount, uid } from '../dom.js'
import { t, fmtNumber } from '../i18n.js'
import { api, get, post, del } from '../api.js'
import { timeView, card, button, confirmDialog, toast, errorBox, empty, tableWrap } from '../ui.js'
import { icon } from '../icons.js'

const enc = encodeURIComponent

/** How many categories the page lists. */
export const CATEGORY_LIMIT = 100

/** The hidden alert where an inline form shows what went wrong. */
function problemBox(id) {
  return h('div', { id, class: 'notice notice-danger', role: 'alert', hidden: true })
}

/** The words of an API error next to the name field: without the field's name when it is that field. */
function nameError(e) {
  return e.field === 'name' ? e.detail : e.message
}

/** Shows `message` in `box` and marks `input` invalid. */
function showProblem(box, input, message) {
  box.replaceChildren(icon('alert'), h('p', null, message))
  box.hidden = false
  if (input) {
    input.setAttribute('aria-invalid', 'true')
    input.focus()
  }
}

/** Hides `box` and clears the mark on `input`. */
function clearProblem(box, input) {
  box.hidden = true
  box.replaceChildren()
  if (input) input.removeAttribute('aria-invalid')
}

// ---- the list -------------------------------------------------------------

/**
 * The categories card: a form to add one and a table of them, each renamed
 * in place or deleted after confirmation. `onChange(list, {deleted})` hears
 * of every new list (a deleted category's id with it).
 */
export function categoriesSection({ onChange }) {
  let categories = []
  let total = null
  let editing = null
  const ids = { name: uid('cat-name'), err: uid('cat-err'), title: uid('cat-title') }

  const name = h('input', { id: ids.name, type: 'text', autocomplete: 'off', maxlength: '64', 'aria-describedby': ids.err, 'aria-required': 'true' })
  const problem = problemBox(ids.err)
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, icon('plus'), h('span', null, t('categories.add')))
  const form = h('form', { class: 'inline-form', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: ids.name }, t('categories.newName')), name),
    submit,
    problem)
  const listSlot = h('div', { class: 'categories-list' })
  const note = h('p', { class: 'hint' })

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault()
    clearProblem(problem, name)
    const value = name.value.trim()
    if (!value) return showProblem(problem, name, t('categories.needName'))
    submit.disabled = true
    try {
      const made = await post('file-categories/', { name: value })
      name.value = ''
      toast(t('categories.added', { name: made.name }))
      await load()
      name.focus()
    } catch (e) {
      if (!e.expired) showProblem(problem, name, nameError(e))
    } finally {
      submit.disabled = false
    }
  })

  /** The row of a category being renamed: one cell holding the rename form. */
  function renameRow(cat) {
    const inputId = uid('cat-rename')
    const errId = uid('cat-rename-err')
    const input = h('input', { id: inputId, type: 'text', autocomplete: 'off', maxlength: '64', value: cat.name, 'aria-describedby': errId, 'aria-required': 'true' })
    const box = problemBox(errId)
    const save = h('button', { type: 'submit', class: 'btn btn-primary btn-small' }, icon('save'), h('span', null, t('categories.save')))
    const cancel = h('button', { type: 'button', class: 'btn btn-ghost btn-small' }, t('ui.cancel'))
    const stop = () => {
      editing = null
      draw()
      focusAction(cat.id, 'rename')
    }
    cancel.addEventListener('click', stop)
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.preventDefault()
        stop()
      }
    })
    const renameForm = h('form', { class: 'inline-form', novalidate: true },
      h('div', { class: 'field' }, h('label', { for: inputId }, t('categories.renameLabel', { name: cat.name })), input),
      save, cancel, box)
    renameForm.addEventListener('submit', async (ev) => {
      ev.preventDefault()
      clearProblem(box, input)
      const value = input.value.trim()
      if (!value) return showProblem(box, input, t('categories.needName'))
      if (value === cat.name) return stop()
      save.disabled = true
      try {
        const renamed = await api('PUT', `file-categories/${enc(cat.id)}/`, { body: { name: value } })
        editing = null
        toast(t('categories.renamed', { name: renamed.name }))
        await load()
        focusAction(cat.id, 'rename')
      } catch (e) {
        if (!e.expired) showProblem(box, input, nameError(e))
      } finally {
        save.disabled = false
      }
    })
    const row = h('tr', { class: 'editing' }, h('td', { colspan: '4' }, renameForm))
    row.focusFirst = () => {
      input.focus()
      input.select()
    }
    return row
  }

  /** Moves focus to the `action` button of the category `id` (or to the name field when it is gone). */
  function focusAction(id, action) {
    const target = listSlot.querySelector(`[data-category="${CSS.escape(id)}"][data-action="${action}"]`)
    ;(target || name).focus()
  }

  /** Deletes the category `cat` once the admin confirms. */
  async function remove(cat) {
    const ok = await confirmDialog({
      title: t('categories.deleteTitle', { name: cat.name }),
      message: t('categories.deleteText', { n: cat.files }),
      confirmLabel: t('categories.delete'),
      danger: true,
    })
    if (!ok) return
    try {
      await del(`file-categories/${enc(cat.id)}/`)
      toast(t('categories.deleted', { name: cat.name }))
      if (editing === cat.id) editing = null
      await load({ deleted: cat.id })
      name.focus()
    } catch (e) {
      if (!e.expired) toast(e.message, 'danger')
    }
  }

  /** Draws the table of categories (or the empty line); `focusEdit` puts focus in the rename form. */
  function draw({ focusEdit = false } = {}) {
    if (!categories.length) {
      mount(listSlot, empty(t('categories.none')))
      note.textContent = ''
      return
    }
    let focusFirst = null
    const rows = categories.map((c) => {
      if (c.id === editing) {
        const row = renameRow(c)
        focusFirst = row.focusFirst
        return row
      }
      return h('tr', null,
        h('th', { scope: 'row' }, c.name),
        h('td', { class: 'num' }, h('a', { href: `#/files?category=${enc(c.id)}`, 'aria-label': t('categories.showFiles', { name: c.name, n: fmtNumber(c.files) }) }, fmtNumber(c.files))),
        h('td', { class: 'small' }, timeView(c.updated_at)),
        h('td', { class: 'actions-cell' },
          h('span', { class: 'row-actions' },
            button(t('categories.rename'), () => {
              editing = c.id
              draw({ focusEdit: true })
            }, { iconName: 'edit', class: 'btn btn-secondary btn-small', 'aria-label': t('categories.renameNamed', { name: c.name }), 'data-category': c.id, 'data-action': 'rename' }),
            button(t('categories.delete'), () => remove(c), { variant: 'danger', iconName: 'trash', class: 'btn btn-danger btn-small', 'aria-label': t('categories.deleteNamed', { name: c.name }), 'data-category': c.id, 'data-action': 'delete' }))))
    })
    const head = [t('categories.name'), t('categories.files'), t('categories.updated'), h('span', { class: 'visually-hidden' }, t('categories.actions'))]
    mount(listSlot, tableWrap(h('table', { class: 'data categories-table' },
      h('caption', { class: 'visually-hidden' }, t('categories.title')),
      h('thead', null, h('tr', null, head.map((x, i) => h('th', { scope: 'col', class: i === 1 ? 'num' : null }, x)))),
      h('tbody', null, rows)), t('categories.title')))
    note.textContent = total !== null && total > categories.length ? t('categories.more', { n: fmtNumber(categories.length), total: fmtNumber(total) }) : ''
    if (focusEdit && focusFirst) focusFirst()
  }

  /** Loads the categories (busy meanwhile), draws them and tells `onChange`. */
  async function load(change = {}) {
    listSlot.setAttribute('aria-busy', 'true')
    try {
      const res = await get('file-categories/', { order_by: 'name', limit: CATEGORY_LIMIT, return_total_count: 1 })
      categories = res.objects || []
      total = res.meta && typeof res.meta.total_count === 'number' ? res.meta.total_count : null
    } catch (e) {
      if (e.expired) return
      mount(listSlot, errorBox(e))
      return
    } finally {
      listSlot.removeAttribute('aria-busy')
    }
    if (editing && !categories.some((c) => c.id === editing)) editing = null
    draw()
    onChange(categories, change)
  }

  const el = h('section', { class: 'categories', 'aria-labelledby': ids.title },
    card(t('categories.title'), [h('p', { class: 'card-lead' }, t('categories.lead')), form, listSlot, note], { id: ids.title }))
  return { el, load }
}

// ---- one file ------------------------------------------------------------------
