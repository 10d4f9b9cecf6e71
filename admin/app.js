// The Protium console: sign-in, the shell (sidebar and main area) and the
// hash router (#/users/42). Each page module renders into the main area.

import { h, mount } from './dom.js'
import { t, translate, setLang, getLang, LANGUAGES } from './i18n.js'
import { api, session, onExpired } from './api.js'
import { icon, logo } from './icons.js'
import { loading, errorBox } from './ui.js'
import * as overview from './pages/overview.js'
import * as users from './pages/users.js'
import * as tables from './pages/tables.js'
import * as schema from './pages/schema.js'
import * as audit from './pages/audit.js'
import * as keys from './pages/keys.js'
import * as files from './pages/files.js'

const ROUTES = [
  { re: /^\/$/, render: overview.render, nav: 'overview' },
  { re: /^\/users$/, render: users.renderList, nav: 'users' },
  { re: /^\/users\/([^/]+)$/, render: users.renderUser, nav: 'users' },
  { re: /^\/tables$/, render: tables.renderTables, nav: 'tables' },
  { re: /^\/tables\/([^/]+)$/, render: tables.renderTable, nav: 'tables' },
  { re: /^\/tables\/([^/]+)\/new$/, render: tables.renderNew, nav: 'tables' },
  { re: /^\/tables\/([^/]+)\/([^/]+)$/, render: tables.renderRecord, nav: 'tables' },
  { re: /^\/files$/, render: files.render, nav: 'files' },
  { re: /^\/files\/([^/]+)$/, render: files.renderFile, nav: 'files' },
  { re: /^\/schema$/, render: schema.render, nav: 'schema' },
  { re: /^\/audit$/, render: audit.render, nav: 'audit' },
  { re: /^\/keys$/, render: keys.render, nav: 'keys' },
]

const app = document.getElementById('app')
let shell = null
let generation = 0
let flash = null
let me = null

/** The path and query of the address's hash. */
function location_() {
  const raw = window.location.hash.replace(/^#/, '') || '/'
  const cut = raw.indexOf('?')
  const path = cut < 0 ? raw : raw.slice(0, cut)
  const qs = cut < 0 ? '' : raw.slice(cut + 1)
  // The path stays encoded here: each route parameter is decoded on its own.
  return { path: path.replace(/\/+$/, '') || '/', query: new URLSearchParams(qs) }
}

/** Opens a console address (#/users/42). */
export function navigate(hash) {
  if (window.location.hash === hash) route({ focus: true })
  else window.location.hash = hash
}

function fillLanguages(select) {
  select.replaceChildren(...LANGUAGES.map((l) => h('option', { value: l.code, lang: l.code }, l.name)))
  select.value = getLang()
  select.addEventListener('change', () => setLang(select.value))
}

function placeLogos(root) {
  for (const el of root.querySelectorAll('[data-logo]')) el.replaceChildren(logo())
  for (const el of root.querySelectorAll('[data-icon]')) el.replaceChildren(icon(el.dataset.icon))
}

// ---- sign-in ---------------------------------------------------------------

function showSignIn({ focus = true } = {}) {
  generation += 1
  shell = null
  const frag = document.getElementById('tpl-signin').content.cloneNode(true)
  placeLogos(frag)
  translate(frag)
  const form = frag.querySelector('form')
  const email = frag.querySelector('#signin-email')
  const password = frag.querySelector('#signin-password')
  const error = frag.querySelector('#signin-error')
  const flashSlot = frag.querySelector('.signin-flash')
  const submit = form.querySelector('button[type=submit]')
  fillLanguages(frag.querySelector('#signin-lang'))
  if (flash) {
    flashSlot.appendChild(h('div', { class: `notice notice-${flash.kind === 'alert' ? 'warn' : 'ok'}`, role: flash.kind === 'alert' ? 'alert' : 'status' },
      icon(flash.kind === 'alert' ? 'alert' : 'check'), h('p', null, t(flash.key))))
  }
  if (flash && flash.email) email.value = flash.email
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault()
    error.hidden = true
    if (!email.value.trim() || !password.value) {
      error.textContent = t('signin.missing')
      error.hidden = false
      ;(email.value.trim() ? password : email).focus()
      return
    }
    submit.disabled = true
    submit.textContent = t('signin.busy')
    try {
      const res = await api('POST', 'session/', { body: { email: email.value.trim(), password: password.value }, signIn: true })
      session.save(res.token, res.email)
      flash = null
      await start()
    } catch (e) {
      error.textContent = e.status === 400 || e.status === 401 || e.status === 403 ? t('signin.wrong') : e.status === 429 ? t('signin.slowDown') : e.message
      error.hidden = false
      password.select()
      password.focus()
    } finally {
      submit.disabled = false
      submit.textContent = t('signin.submit')
    }
  })
  mount(app, frag)
  document.title = `${t('signin.title')} · Protium`
  if (focus) (email.value ? password : email).focus()
}

onExpired(() => {
  if (!session.token) return
  const email = session.email
  session.clear()
  flash = { kind: 'alert', key: 'signin.expired', email }
  showSignIn()
})

async function signOut() {
  const email = session.email
  try {
    await api('DELETE', 'session/')
  } catch {
    // Signed out here whatever the server said.
  }
  session.clear()
  flash = { kind: 'status', key: 'signin.signedOut', email }
  history.replaceState(null, '', '#/')
  showSignIn()
}

// ---- shell and router -----------------------------------------------------------

function buildShell() {
  const frag = document.getElementById('tpl-shell').content.cloneNode(true)
  placeLogos(frag)
  translate(frag)
  fillLanguages(frag.querySelector('#shell-lang'))
  frag.querySelector('.who-email').textContent = session.email || (me && me.actor) || ''
  frag.querySelector('.sign-out').addEventListener('click', signOut)
  frag.querySelector('[data-skip]').addEventListener('click', (ev) => {
    ev.preventDefault()
    document.getElementById('main').focus()
  })
  mount(app, frag)
  shell = { view: app.querySelector('.view'), nav: app.querySelectorAll('[data-nav]') }
}

async function route({ focus = true } = {}) {
  if (!session.token) {
    showSignIn({ focus })
    return
  }
  if (!shell) buildShell()
  const { path, query } = location_()
  let match = null
  let found = ROUTES.find((r) => (match = r.re.exec(path)))
  const mine = ++generation
  for (const a of shell.nav) {
    if (found && a.dataset.nav === found.nav) a.setAttribute('aria-current', 'page')
    else a.removeAttribute('aria-current')
  }
  const view = shell.view
  mount(view, loading())
  if (!found) {
    found = { nav: null }
    mount(view, h('h1', { tabindex: '-1' }, t('ui.notFound')), h('p', null, h('a', { href: '#/' }, t('nav.overview'))))
    return
  }
  const ctx = {
    view,
    params: match.slice(1).map((p) => decodeURIComponent(p)),
    query,
    alive: () => mine === generation,
    navigate,
    rerender: () => route({ focus: false }),
  }
  try {
    await found.render(ctx)
  } catch (e) {
    if (!ctx.alive() || e.expired) return
    console.warn(e)
    mount(view, h('h1', { tabindex: '-1' }, t('ui.failed')), errorBox(e))
  }
  if (!ctx.alive()) return
  const h1 = view.querySelector('h1')
  document.title = `${h1 ? h1.textContent : 'Protium'} · Protium`
  if (focus && h1) h1.focus({ preventScroll: false })
}

async function start() {
  try {
    me = await api('GET', 'me/')
  } catch (e) {
    if (e.expired) return
    mount(app, h('main', { class: 'signin', id: 'main' }, h('div', { class: 'signin-card' }, h('h1', null, t('ui.failed')), errorBox(e))))
    return
  }
  buildShell()
  await route({ focus: true })
}

window.addEventListener('hashchange', () => route({ focus: true }))
window.addEventListener('langchange', () => {
  if (!session.token || !shell) {
    showSignIn({ focus: false })
    document.getElementById('signin-lang').focus()
    return
  }
  translate(app)
  for (const sel of app.querySelectorAll('.lang-select')) sel.value = getLang()
  route({ focus: false })
  document.getElementById('shell-lang').focus()
})

session.load()
if (session.token) start()
else showSignIn()
