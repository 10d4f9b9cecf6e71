// API keys: create one (name, scopes, optional expiry; the secret is shown
// once, with a copy button), list them with scopes, expiry, last use and
// status, and revoke one after confirmation.

import { h, mount, uid } from '../dom.js'
import { t, fmtTime, fmtRelative } from '../i18n.js'
import { get, post, del } from '../api.js'
import { pageHeader, card, badge, button, confirmDialog, toast, copyButton, empty, tableWrap } from '../ui.js'
import { icon } from '../icons.js'

const SCOPES = ['users:read', 'users:write', 'records:read', 'records:write', 'schema:read', 'schema:write', 'keys:read', 'keys:write', 'audit:read', 'files:read', 'files:write']

function statusBadge(status) {
  return badge(t(`keys.status.${status}`), status === 'active' ? 'ok' : status === 'revoked' ? 'danger' : 'warn')
}

export async function render(ctx) {
  let closeForm = () => {}
  const ids = { formCard: uid('key-form'), formTitle: uid('key-form-title'), name: uid('key-name'), days: uid('key-days'), err: uid('key-err'), secret: uid('key-secret'), scopesErr: uid('key-scopes-err') }
  const name = h('input', { id: ids.name, type: 'text', autocomplete: 'off', placeholder: 'reporting', 'aria-describedby': ids.err, 'aria-required': 'true' })
  const days = h('input', { id: ids.days, type: 'number', min: '1', step: '1', inputmode: 'numeric', 'aria-describedby': `${ids.days}-hint ${ids.err}` })
  const boxes = SCOPES.map((scope) => {
    const id = uid('scope')
    const input = h('input', { id, type: 'checkbox', value: scope, name: 'scopes' })
    return { scope, input, el: h('div', { class: 'check' }, input, h('label', { for: id, class: 'mono' }, scope), h('span', { class: 'check-hint' }, t(`keys.scope.${scope}`))) }
  })
  const problem = h('div', { id: ids.err, class: 'notice notice-danger', role: 'alert', hidden: true })
  const secretSlot = h('div')
  const listSlot = h('div')
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, icon('plus'), h('span', null, t('keys.create')))
  const cancel = h('button', { type: 'button', class: 'btn btn-ghost' }, t('ui.cancel'))

  const form = h('form', { class: 'key-form', novalidate: true },
    h('div', { class: 'form-row' },
      h('div', { class: 'field' }, h('div', { class: 'label-row' }, h('label', { for: ids.name }, t('keys.name')), h('span', { class: 'req', title: t('form.required') }, '*')), name),
      h('div', { class: 'field' }, h('label', { for: ids.days }, t('keys.expiresDays')), days, h('p', { id: `${ids.days}-hint`, class: 'hint' }, t('keys.expiresHint')))),
    h('fieldset', { class: 'scopes' },
      h('legend', null, t('keys.scopes')),
      h('div', { class: 'check-grid' }, boxes.map((b) => b.el))),
    problem,
    h('div', { class: 'form-actions' }, submit, cancel))

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault()
    problem.hidden = true
    const scopes = boxes.filter((b) => b.input.checked).map((b) => b.scope)
    const fail = (msg, focus) => {
      problem.replaceChildren(icon('alert'), h('p', null, msg))
      problem.hidden = false
      if (focus) focus.focus()
    }
    if (!name.value.trim()) return fail(t('keys.needName'), name)
    if (!scopes.length) return fail(t('keys.needScope'), boxes[0].input)
    const body = { name: name.value.trim(), scopes }
    if (days.value) {
      const n = Number(days.value)
      if (!Number.isInteger(n) || n < 1) return fail(t('keys.badDays'), days)
      body.expires_in = n * 86400
    }
    submit.disabled = true
    try {
      const created = await post('keys/', body)
      name.value = ''
      days.value = ''
      for (const b of boxes) b.input.checked = false
      closeForm()
      showSecret(created)
      await loadList()
    } catch (e) {
      if (!e.expired) fail(e.message, e.field === 'name' ? name : null)
    } finally {
      submit.disabled = false
    }
  })

  function showSecret(created) {
    const field = h('input', { id: ids.secret, type: 'text', readOnly: true, class: 'mono secret', value: created.key, 'aria-describedby': `${ids.secret}-hint`, spellcheck: 'false' })
    field.addEventListener('focus', () => field.select())
    mount(secretSlot, h('div', { class: 'notice notice-key secret-notice', role: 'status' },
      icon('keys'),
      h('div', { class: 'secret-body' },
        h('label', { for: ids.secret }, t('keys.secretLabel', { name: created.name })),
        h('div', { class: 'secret-row' }, field, copyButton(() => field.value)),
        h('p', { id: `${ids.secret}-hint`, class: 'hint' }, t('keys.secretHint')),
        button(t('keys.done'), () => { mount(secretSlot); toggle.focus() }, { variant: 'ghost' }))))
    field.focus()
  }

  async function revoke(key) {
    const ok = await confirmDialog({ title: t('keys.revokeTitle', { name: key.name }), message: t('keys.revokeText'), confirmLabel: t('keys.revoke'), danger: true })
    if (!ok) return
    try {
      await del(`keys/${key.id}/`)
      toast(t('keys.revoked', { name: key.name }))
      await loadList()
      const heading = ctx.view.querySelector('h1')
      if (heading) heading.focus()
    } catch (e) {
      if (!e.expired) toast(e.message, 'danger')
    }
  }

  async function loadList() {
    // Busy while loading, so nothing (the form opening by itself included)
    // changes under a reader or a test after the list says it is ready.
    listSlot.setAttribute('aria-busy', 'true')
    let res
    try {
      res = await get('keys/')
    } finally {
      listSlot.removeAttribute('aria-busy')
    }
    if (!ctx.alive()) return
    const keys = res.objects
    if (!keys.length) {
      mount(listSlot, empty(t('keys.none')))
      return 0
    }
    const rows = keys.map((k) => h('tr', { class: k.status !== 'active' ? 'inactive' : null },
      h('th', { scope: 'row' }, k.name),
      h('td', { class: 'mono small' }, `${k.prefix}…`),
      h('td', null, h('span', { class: 'badges' }, (k.scopes || []).map((s) => badge(s, 'neutral')))),
      h('td', { class: 'small' }, fmtTime(k.created_at), h('br'), h('span', { class: 'muted mono' }, k.created_by || '')),
      h('td', { class: 'small' }, k.expires_at ? h('time', { datetime: new Date(k.expires_at * 1000).toISOString(), title: fmtTime(k.expires_at) }, fmtRelative(k.expires_at)) : t('keys.never')),
      h('td', { class: 'small' }, k.last_used_at ? h('time', { datetime: new Date(k.last_used_at * 1000).toISOString(), title: fmtTime(k.last_used_at) }, fmtRelative(k.last_used_at)) : t('keys.neverUsed')),
      h('td', null, statusBadge(k.status)),
      h('td', { class: 'actions-cell' }, k.status === 'active'
        ? button(t('keys.revoke'), () => revoke(k), { variant: 'danger', iconName: 'trash', class: 'btn btn-danger btn-small', 'aria-label': t('keys.revokeNamed', { name: k.name }) })
        : k.revoked_at ? h('time', { class: 'muted small nowrap', datetime: new Date(k.revoked_at * 1000).toISOString(), title: fmtTime(k.revoked_at) }, fmtRelative(k.revoked_at)) : '')))
    const head = [t('keys.name'), t('keys.prefix'), t('keys.scopes'), t('keys.created'), t('keys.expires'), t('keys.lastUsed'), t('keys.statusLabel'), h('span', { class: 'visually-hidden' }, t('keys.actions'))]
    mount(listSlot, tableWrap(h('table', { class: 'data' },
      h('caption', { class: 'visually-hidden' }, t('keys.list')),
      h('thead', null, h('tr', null, head.map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', null, rows)), t('keys.list')))
    return keys.length
  }

  // The form opens from the header's "New key" button (and by itself while there are no keys).
  const formCard = card(t('keys.newKey'), form, { id: ids.formTitle })
  formCard.id = ids.formCard
  formCard.hidden = true
  const toggle = h('button', {
    type: 'button', class: 'btn btn-primary', 'aria-expanded': 'false', 'aria-controls': ids.formCard,
    onclick: () => setFormOpen(formCard.hidden),
  }, icon('plus'), h('span', null, t('keys.newKey')))
  function setFormOpen(open) {
    formCard.hidden = !open
    toggle.setAttribute('aria-expanded', String(open))
    if (open) name.focus()
  }
  cancel.addEventListener('click', () => {
    setFormOpen(false)
    toggle.focus()
  })
  closeForm = () => setFormOpen(false)

  mount(ctx.view,
    pageHeader(t('keys.title'), { lead: t('keys.lead'), actions: [toggle] }),
    formCard,
    secretSlot,
    h('h2', { class: 'visually-hidden' }, t('keys.list')),
    listSlot)
  const count = await loadList()
  if (count === 0 && ctx.alive()) {
    formCard.hidden = false
    toggle.setAttribute('aria-expanded', 'true')
  }
}
