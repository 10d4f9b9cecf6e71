// Users: the list (search, filter builder, sorting, keyset paging) and a
// user's page (the profile form from the schema, the account's built-in
// fields, actions, and the user's audit entries).

import { h, mount } from '../dom.js'
import { t } from '../i18n.js'
import { get, patch, post, del } from '../api.js'
import { pageHeader, card, badge, button, confirmDialog, toast, errorBox, defList, jsonBlock } from '../ui.js'
import { icon } from '../icons.js'
import { profileType, fieldOf, cell } from '../fields.js'
import { schemaForm } from '../form.js'
import { recordBrowser } from '../browser.js'
import { auditList } from './audit.js'

function displayName(u) {
  return u.nickname || u._email || u._username || u._phone || t('users.unnamed', { id: u.id })
}

function statusBadges(u) {
  const out = []
  if (u._disabled) out.push(badge(t('users.disabled'), 'danger'))
  if (u._anonymous) out.push(badge(t('users.anonymous'), 'neutral'))
  if (u._email_verified) out.push(badge(t('users.verified'), 'ok'))
  if (!out.length) out.push(badge(t('users.active'), 'accent'))
  return out
}

export async function renderList(ctx) {
  const schema = await get('schema/')
  if (!ctx.alive()) return
  const type = profileType(schema)
  const has = (name) => Boolean(fieldOf(type, name))
  const fieldCell = (name) => (row) => cell(fieldOf(type, name), row[name])
  const columns = [
    has('nickname')
      ? { key: 'nickname', label: 'nickname', sort: 'nickname', render: (u) => h('a', { href: `#/users/${u.id}`, class: 'row-link' }, displayName(u)) }
      : { key: 'id', label: 'id', sort: 'id', render: (u) => h('a', { href: `#/users/${u.id}`, class: 'row-link' }, displayName(u)) },
    { key: 'id', label: 'id', sort: 'id', render: (u) => h('span', { class: 'mono' }, String(u.id)) },
    { key: '_email', label: '_email', sort: '_email', render: fieldCell('_email') },
    { key: '_phone', label: '_phone', sort: '_phone', render: fieldCell('_phone') },
    { key: 'created_at', label: t('users.signedUp'), sort: 'created_at', render: fieldCell('created_at') },
    { key: 'status', label: t('users.status'), sort: null, render: (u) => h('span', { class: 'badges' }, statusBadges(u)) },
  ].filter((c, i, all) => all.findIndex((x) => x.key === c.key) === i)

  mount(ctx.view,
    pageHeader(t('users.title'), { lead: t('users.lead') }),
    recordBrowser({
      type, users: true, path: 'users/', route: '#/users', query: ctx.query, columns,
      caption: t('users.title'), searchPlaceholder: t('users.searchPlaceholder'),
    }))
}

export async function renderUser(ctx) {
  const id = ctx.params[0]
  const [schema, user] = await Promise.all([get('schema/'), get(`users/${encodeURIComponent(id)}/`)])
  if (!ctx.alive()) return
  const type = profileType(schema)
  let current = user

  const form = schemaForm({ type, schema, record: user, mode: 'edit', idPrefix: 'user' })
  const formProblem = h('div', { class: 'notice notice-danger', role: 'alert', hidden: true })
  const saveStatus = h('p', { class: 'save-status', role: 'status' })
  const saveBtn = h('button', { type: 'submit', class: 'btn btn-primary' }, icon('save'), h('span', null, t('form.save')))
  const formEl = h('form', { class: 'record-form', novalidate: true },
    form.el, formProblem,
    h('div', { class: 'form-actions' }, saveBtn, saveStatus))

  formEl.addEventListener('submit', async (ev) => {
    ev.preventDefault()
    formProblem.hidden = true
    saveStatus.textContent = ''
    const { values, errors } = form.collect()
    if (errors.length) return
    if (!Object.keys(values).length) {
      saveStatus.textContent = t('form.nothingChanged')
      return
    }
    saveBtn.disabled = true
    try {
      current = await patch(`users/${encodeURIComponent(id)}/`, values)
      form.reset(current)
      saveStatus.replaceChildren(icon('check'), h('span', null, t('form.saved')))
      toast(t('users.saved', { name: displayName(current) }))
      refreshHeader()
      refreshAccount()
      refreshAudit()
    } catch (e) {
      if (e.expired) return
      if (!form.showError(e)) {
        formProblem.replaceChildren(icon('alert'), h('p', null, e.message))
        formProblem.hidden = false
      }
      saveStatus.textContent = t('form.notSaved')
    } finally {
      saveBtn.disabled = false
    }
  })

  // Actions.
  async function act(kind) {
    const name = displayName(current)
    const spec = {
      disable: { title: t('users.disableTitle', { name }), message: t('users.disableText'), confirm: t('users.disable'), danger: true, path: 'disable/', done: t('users.disabledDone', { name }) },
      enable: { path: 'enable/', done: t('users.enabledDone', { name }) },
      revoke: { title: t('users.revokeTitle', { name }), message: t('users.revokeText'), confirm: t('users.revoke'), path: 'sessions/revoke/' },
      reset: { title: t('users.resetTitle', { name }), message: t('users.resetText', { email: current._email || '' }), confirm: t('users.reset'), path: 'password-reset/', done: t('users.resetDone', { email: current._email || '' }) },
      delete: { title: t('users.deleteTitle', { name }), message: t('users.deleteText'), confirm: t('users.delete'), danger: true },
    }[kind]
    if (spec.title && !(await confirmDialog({ title: spec.title, message: spec.message, confirmLabel: spec.confirm, danger: spec.danger }))) return
    try {
      if (kind === 'delete') {
        await del(`users/${encodeURIComponent(id)}/`)
        toast(t('users.deleted', { name }))
        ctx.navigate('#/users')
        return
      }
      const res = await post(`users/${encodeURIComponent(id)}/${spec.path}`)
      toast(kind === 'revoke' ? t('users.revokedDone', { n: res.sessions_ended ?? 0 }) : spec.done)
      current = await get(`users/${encodeURIComponent(id)}/`)
      if (!ctx.alive()) return
      refreshHeader()
      refreshAccount()
      refreshAudit()
    } catch (e) {
      if (!e.expired) toast(e.message, 'danger')
    }
  }

  const headerSlot = h('div')
  function refreshHeader() {
    const focused = document.activeElement
    const actions = [
      current._disabled
        ? button(t('users.enable'), () => act('enable'), { iconName: 'unlock', 'data-action': 'toggle' })
        : button(t('users.disable'), () => act('disable'), { iconName: 'lock', 'data-action': 'toggle' }),
      button(t('users.revoke'), () => act('revoke'), { iconName: 'signout', 'data-action': 'revoke' }),
      button(t('users.reset'), () => act('reset'), { iconName: 'mail', disabled: !current._email, title: current._email ? null : t('users.noEmail'), 'data-action': 'reset' }),
      button(t('users.delete'), () => act('delete'), { iconName: 'trash', variant: 'danger', 'data-action': 'delete' }),
    ]
    mount(headerSlot, pageHeader(displayName(current), {
      crumbs: [{ label: t('users.title'), href: '#/users' }, { label: `#${current.id}` }],
      badges: statusBadges(current),
      actions,
    }))
    // Keep focus on the action the admin used, when it is still there.
    if (focused && !focused.isConnected) {
      const action = focused.dataset && focused.dataset.action
      const again = action ? headerSlot.querySelector(`[data-action="${action}"]`) : null
      ;(again || headerSlot.querySelector('h1')).focus()
    }
  }

  const accountSlot = h('div')
  function refreshAccount() {
    // created_by of a user is the user's own id: not worth a line.
    const builtins = type.fields.filter((f) => (f.builtin || f.name.startsWith('_')) && f.name !== 'created_by')
    mount(accountSlot, defList(builtins.map((f) => {
      const v = current[f.name]
      let shown
      if (f.name === '_provider') shown = v && Object.keys(v).length ? jsonBlock(v, '_provider') : h('span', { class: 'muted' }, '—')
      else shown = cell(f, v)
      return [h('span', { class: 'mono' }, f.name), shown]
    }), 'account'))
  }

  const auditSlot = h('div')
  async function refreshAudit() {
    try {
      const res = await get('audit/', { target_type: type.name, target_id: String(id), limit: 20 })
      if (!ctx.alive()) return
      mount(auditSlot, auditList(res.objects, { compact: true }))
    } catch (e) {
      if (!e.expired) mount(auditSlot, errorBox(e))
    }
  }

  refreshHeader()
  refreshAccount()
  mount(ctx.view,
    headerSlot,
    h('div', { class: 'grid-detail' },
      card(t('users.profile'), formEl, { cls: 'detail-main' }),
      h('div', { class: 'detail-side' },
        card(t('users.account'), accountSlot),
        card(t('users.activity'), auditSlot, { actions: h('a', { href: `#/audit?target_type=${encodeURIComponent(type.name)}&target_id=${encodeURIComponent(id)}`, class: 'small-link' }, t('users.allActivity')) }))))
  await refreshAudit()
}
