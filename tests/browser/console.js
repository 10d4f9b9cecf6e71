// Drives the admin console (/admin/) in headless Chromium as an admin would:
// sign in, read the overview, filter users, edit a user (with an error the
// API reports next to the field), disable a user, work on records, watch a
// broken schema edit and its fix, create / use / revoke an API key, list the
// files and add / rename / delete a file category, read the audit log,
// switch the language, sign out, and see the session-expired
// message. Every page is checked with axe-core (no serious or critical
// violation), and the run fails on any console error, page error, failed
// request or unexpected HTTP error. Takes the screenshots of docs/admin.md.
//
//   node console.js <base_url> <admin_email> <admin_password> <schema_dir> <screenshot_dir>
'use strict'

const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { execFileSync } = require('node:child_process')
const { chromium } = require('playwright-core')

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
]
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8')
const TIMEOUT = 10000

const [baseArg, adminEmail, adminPassword, schemaDir, shotDir] = process.argv.slice(2)
if (!baseArg || !adminEmail || !adminPassword || !schemaDir || !shotDir) {
  console.error('usage: node console.js <base_url> <admin_email> <admin_password> <schema_dir> <screenshot_dir>')
  process.exit(2)
}
const base = baseArg.replace(/\/+$/, '')
const started = Date.now()

// ---- what may go wrong, recorded for the whole run ------------------------------

const problems = []
const consoleErrors = []
const tolerated = new Set()
const allowances = []

/** The next `count` responses matching method, URL and status are expected (e.g. a 400 from a bad PATCH). */
function expectResponse(method, urlPattern, status, count = 1) {
  allowances.push({ method, urlPattern, status, left: count })
}

function watch(page) {
  page.on('console', (msg) => {
    if (msg.type() === 'error') consoleErrors.push({ text: msg.text(), url: msg.location().url || '' })
  })
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`))
  page.on('requestfailed', (req) => {
    problems.push(`request failed: ${req.method()} ${req.url()} (${req.failure() ? req.failure().errorText : '?'})`)
  })
  page.on('response', (res) => {
    const status = res.status()
    if (status < 400) return
    const method = res.request().method()
    const hit = allowances.find((a) => a.left > 0 && a.method === method && a.status === status && a.urlPattern.test(res.url()))
    if (hit) {
      hit.left -= 1
      tolerated.add(res.url())
      return
    }
    problems.push(`unexpected HTTP ${status}: ${method} ${res.url()}`)
  })
}

// ---- helpers ------------------------------------------------------------

let stepNo = 0
let bobId = null
async function step(name, fn) {
  stepNo += 1
  const t0 = Date.now()
  try {
    await fn()
  } catch (err) {
    console.log(`FAIL ${stepNo}. ${name}`)
    throw err
  }
  console.log(`ok ${stepNo}. ${name} (${Date.now() - t0} ms)`)
}

function check(cond, message) {
  if (!cond) throw new Error(message)
}

/** Runs axe-core on the page; fails on serious or critical violations, prints the others. */
async function axe(page, label) {
  const hasAxe = await page.evaluate(() => typeof window.axe !== 'undefined')
  // Evaluated through the DevTools protocol: not subject to the page's CSP.
  if (!hasAxe) await page.evaluate(AXE_SOURCE)
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] })
    return result.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 4).map((n) => `${n.target.join(' ')} ${n.failureSummary ? `(${n.failureSummary.split('\n').slice(1, 2).join('').trim()})` : ''}`),
    }))
  })
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  for (const v of violations) {
    if (!bad.includes(v)) console.log(`   axe note on ${label}: ${v.impact} ${v.id}: ${v.help} — ${v.nodes.join('; ')}`)
  }
  if (bad.length) {
    throw new Error(`axe on ${label}:\n${bad.map((v) => `  ${v.impact} ${v.id}: ${v.help}\n    ${v.nodes.join('\n    ')}`).join('\n')}`)
  }
}

/** Waits until no list or table on the page is loading. */
async function settled(page) {
  await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]') && !document.querySelector('.loading'), null, { timeout: TIMEOUT })
}

async function shot(page, name) {
  await page.mouse.move(0, 0)
  await settled(page)
  await page.evaluate(() => {
    document.activeElement && document.activeElement.blur && document.activeElement.blur()
    for (const el of document.querySelectorAll('.toast')) el.remove()
  })
  await page.screenshot({ path: path.join(shotDir, name) })
}

function heading(page, name) {
  return page.getByRole('heading', { level: 1, name, exact: true })
}

function nav(page, name) {
  return page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name, exact: true })
}

function curlStatus(key, what) {
  return execFileSync('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '-H', `Authorization: Bearer ${key}`, `${base}/admin/api/${what}`], { encoding: 'utf8' }).trim()
}

/** Polls `fn` until it returns a truthy value. */
async function until(fn, message, timeout = TIMEOUT) {
  const end = Date.now() + timeout
  let last
  while (Date.now() < end) {
    try {
      last = await fn()
      if (last) return last
    } catch (err) {
      last = err
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`${message} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`)
}

// ---- the run ------------------------------------------------------------

async function main() {
  fs.mkdirSync(shotDir, { recursive: true })
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'protium-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    locale: 'en-US',
    viewport: { width: 1280, height: 800 },
    reducedMotion: 'reduce',
  })
  context.setDefaultTimeout(TIMEOUT)
  try {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base })
  } catch {
    // The copy button falls back to execCommand without the permission.
  }
  const originalProfile = fs.readFileSync(path.join(schemaDir, '_userprofile.json'), 'utf8')
  try {
    const page = context.pages()[0] || (await context.newPage())
    watch(page)

    await step('sign in (a wrong password is refused first)', async () => {
      const res = await page.goto(`${base}/admin/`)
      check(res.status() === 200, `GET /admin/ answered ${res.status()}`)
      await heading(page, 'Sign in').waitFor()
      await axe(page, 'sign-in')
      await page.getByLabel('Email').fill(adminEmail)
      await page.getByLabel('Password').fill(`${adminPassword}-wrong`)
      expectResponse('POST', /\/admin\/api\/session\/$/, 400)
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.getByRole('alert').filter({ hasText: 'The email or the password is wrong.' }).waitFor()
      await page.getByLabel('Password').fill(adminPassword)
      await page.getByRole('button', { name: 'Sign in' }).click()
      await heading(page, 'Overview').waitFor()
    })

    await step('overview shows 3 users', async () => {
      await settled(page)
      const users = page.getByRole('term').filter({ hasText: /^Users$/ }).locator('xpath=following-sibling::dd[1]')
      const value = (await users.textContent()).trim()
      check(/^3(?!\d)/.test(value), `the Users number is ${value}`)
      const chart = page.getByRole('img', { name: /sign-ups per day over the last 30 days: 3 in total/ })
      await chart.waitFor()
      const bars = await chart.locator('title').count()
      check(bars === 30, `the sign-up chart names ${bars} days`)
      await page.getByRole('link', { name: 'post', exact: true }).waitFor()
      await axe(page, 'overview')
      await shot(page, 'overview.png')
    })

    await step('users: the filter builder finds city = Lima → Bob', async () => {
      await nav(page, 'Users').click()
      await heading(page, 'Users').waitFor()
      const table = page.getByRole('table', { name: 'Users' })
      await until(async () => (await table.locator('tbody tr').count()) === 3, 'the users list shows 3 users')
      await page.getByLabel('Field', { exact: true }).selectOption('city')
      await page.getByLabel('Operator', { exact: true }).selectOption('$eq')
      await page.getByLabel('Value', { exact: true }).fill('Lima')
      await page.getByRole('button', { name: 'Add filter' }).click()
      await until(async () => {
        const rows = await table.locator('tbody tr').allTextContents()
        return rows.length === 1 && rows[0].includes('Bob') && rows[0].includes('bob@example.com')
      }, 'exactly Bob is listed')
      await page.getByRole('button', { name: 'Remove filter: city equals “Lima”' }).waitFor()
      await page.getByText('Edit the where as JSON').click()
      const raw = JSON.parse(await page.getByLabel('where (JSON)').inputValue())
      check(JSON.stringify(raw) === JSON.stringify({ city: { $eq: 'Lima' } }), `the where box shows ${JSON.stringify(raw)}`)
      await settled(page)
      await axe(page, 'users')
      await shot(page, 'users.png')
    })

    await step('users: the operators offered come from the server\'s table; score between 40 and 60 → Bob', async () => {
      const table = page.getByRole('table', { name: 'Users' })
      await page.getByRole('button', { name: 'Remove filter: city equals “Lima”' }).click()
      await until(async () => (await table.locator('tbody tr').count()) === 3, 'all 3 users are back')
      await page.getByLabel('Field', { exact: true }).selectOption('score')
      const offered = await page.getByLabel('Operator', { exact: true }).locator('option').evaluateAll((os) => os.map((o) => o.value))
      check(offered.includes('$range') && offered.includes('$in') && !offered.includes('$contains'), `score offers ${offered}`)
      await page.getByLabel('Field', { exact: true }).selectOption('tags')
      const onTags = await page.getByLabel('Operator', { exact: true }).locator('option').evaluateAll((os) => os.map((o) => o.value))
      check(onTags.includes('$all') && onTags.includes('$eq') && !onTags.includes('$lt'), `tags offers ${onTags}`)
      await page.getByLabel('Field', { exact: true }).selectOption('score')
      await page.getByLabel('Operator', { exact: true }).selectOption('$range')
      await page.getByLabel('Value', { exact: true }).fill('60, 40')
      await page.getByRole('button', { name: 'Add filter' }).click()
      await page.getByText('Two whole numbers, the first not above the second').waitFor()
      await page.getByLabel('Value', { exact: true }).fill('40, 60')
      await page.getByRole('button', { name: 'Add filter' }).click()
      await until(async () => {
        const rows = await table.locator('tbody tr').allTextContents()
        return rows.length === 1 && rows[0].includes('Bob')
      }, 'exactly Bob scores between 40 and 60')
      await page.getByRole('button', { name: /^Remove filter: score is between/ }).click()
      await until(async () => (await table.locator('tbody tr').count()) === 3, 'all 3 users are back')
    })

    await step('user: a bad nickname is refused next to the field, a good one persists', async () => {
      await page.getByRole('table', { name: 'Users' }).getByRole('link', { name: 'Bob', exact: true }).click()
      await heading(page, 'Bob').waitFor()
      bobId = new URL(page.url()).hash.replace('#/users/', '')
      check(/^\d+$/.test(bobId), `Bob's page is ${page.url()}`)
      const nickname = page.getByLabel('nickname', { exact: true })
      await nickname.fill('B'.repeat(70))
      expectResponse('PATCH', /\/admin\/api\/users\/\d+\/$/, 400)
      await page.getByRole('button', { name: 'Save', exact: true }).click()
      await page.getByText(/longer than 64 characters/).waitFor()
      check((await nickname.getAttribute('aria-invalid')) === 'true', 'the nickname field is not marked invalid')
      const described = (await nickname.getAttribute('aria-describedby')).split(/\s+/)
      const texts = await Promise.all(described.map((id) => page.locator(`[id="${id}"]`).textContent()))
      check(texts.some((x) => /longer than 64 characters/.test(x)), 'the error is not tied to the field')
      await axe(page, 'user (with an error)')
      await nickname.fill('Bobby')
      await page.getByRole('button', { name: 'Save', exact: true }).click()
      await page.getByRole('status').filter({ hasText: /^Saved\.$/ }).waitFor()
      check((await nickname.getAttribute('aria-invalid')) === null, 'the error stayed after a good save')
      // The user's activity lists the change.
      await page.getByRole('list', { name: 'Activity' }).getByText('user.update').waitFor()
      await settled(page)
      await page.reload()
      await heading(page, 'Bobby').waitFor()
      const after = await page.getByLabel('nickname', { exact: true }).inputValue()
      check(after === 'Bobby', `after a reload the nickname is ${after}`)
      await settled(page)
      await axe(page, 'user')
      await shot(page, 'user.png')
    })

    await step('user: disable Cleo (with confirmation)', async () => {
      await nav(page, 'Users').click()
      await heading(page, 'Users').waitFor()
      await page.getByLabel('Search').fill('Cleo')
      const table = page.getByRole('table', { name: 'Users' })
      await until(async () => (await table.locator('tbody tr').count()) === 1 && (await table.locator('tbody tr').textContent()).includes('Cleo'), 'the search finds Cleo')
      await table.getByRole('link', { name: 'Cleo', exact: true }).click()
      await heading(page, 'Cleo').waitFor()
      await settled(page)
      await page.getByRole('button', { name: 'Disable', exact: true }).click()
      const dialog = page.getByRole('dialog', { name: 'Disable Cleo?' })
      await dialog.waitFor()
      const focused = await page.evaluate(() => Boolean(document.activeElement && document.activeElement.closest('dialog')))
      check(focused, 'focus did not move into the dialog')
      await axe(page, 'confirmation dialog')
      await dialog.getByRole('button', { name: 'Disable', exact: true }).click()
      await page.getByRole('button', { name: 'Enable', exact: true }).waitFor()
      await page.locator('header').getByText('Disabled', { exact: true }).waitFor()
      await settled(page)
    })

    await step('tables: create, edit and delete a post', async () => {
      await nav(page, 'Tables').click()
      await heading(page, 'Tables').waitFor()
      await axe(page, 'tables')
      await page.getByRole('link', { name: 'post', exact: true }).click()
      await heading(page, 'post').waitFor()
      const table = page.getByRole('table', { name: 'Records of post' })
      await until(async () => (await table.locator('tbody tr').count()) === 3, 'post has 3 records')
      await page.getByRole('link', { name: 'New record' }).click()
      await heading(page, 'New post record').waitFor()
      await axe(page, 'new record')
      await page.getByLabel('title', { exact: true }).fill('Written by the console')
      await page.getByRole('button', { name: 'Create', exact: true }).click()
      await heading(page, 'post record').waitFor()
      await settled(page)
      check((await page.getByLabel('title', { exact: true }).inputValue()) === 'Written by the console', 'the new record lost its title')
      await page.getByLabel('title', { exact: true }).fill('Edited by the console')
      await page.getByRole('button', { name: 'Save', exact: true }).click()
      await page.getByRole('status').filter({ hasText: /^Saved\.$/ }).waitFor()
      await page.getByRole('list', { name: 'Activity' }).getByText('record.update').waitFor()
      await axe(page, 'record')
      await page.getByRole('button', { name: 'Delete record' }).click()
      const dialog = page.getByRole('dialog', { name: 'Delete this record?' })
      await dialog.waitFor()
      await dialog.getByRole('button', { name: 'Delete record' }).click()
      await heading(page, 'post').waitFor()
      await until(async () => {
        const rows = await table.locator('tbody tr').allTextContents()
        return rows.length === 3 && !rows.some((r) => r.includes('by the console'))
      }, 'the record is gone from the list')
      await shot(page, 'tables.png')
    })

    await step('schema: a broken file shows its error, the fix adds motto to the user form', async () => {
      const file = path.join(schemaDir, '_userprofile.json')
      fs.writeFileSync(file, '{ "type": "object", "properties": { "nickname": ')
      await nav(page, 'Schema').click()
      await heading(page, 'Schema').waitFor()
      await settled(page)
      expectResponse('POST', /\/admin\/api\/schema\/reload\/$/, 409)
      await page.getByRole('button', { name: 'Reload schema' }).click()
      const error = page.getByRole('alert').filter({ hasText: '_userprofile.json' })
      await error.waitFor()
      await error.getByText('The last reload failed').waitFor()
      await axe(page, 'schema (with an error)')
      await shot(page, 'schema.png')
      const fixed = JSON.parse(originalProfile)
      fixed.properties.motto = { type: 'string', maxLength: 120, description: 'A line the user lives by.' }
      fs.writeFileSync(file, `${JSON.stringify(fixed, null, 2)}\n`)
      await page.getByRole('button', { name: 'Reload schema' }).click()
      await page.getByText('The last reload succeeded.').waitFor()
      check((await page.getByRole('alert').filter({ hasText: '_userprofile.json' }).count()) === 0, 'the reload error is still shown')
      await page.getByRole('table', { name: 'Fields of _userprofile' }).getByRole('rowheader', { name: /^motto\b/ }).waitFor()
      await nav(page, 'Users').click()
      await heading(page, 'Users').waitFor()
      await page.getByRole('table', { name: 'Users' }).getByRole('link', { name: 'Ann', exact: true }).click()
      await heading(page, 'Ann').waitFor()
      await page.getByLabel('motto', { exact: true }).waitFor()
      await settled(page)
    })

    await step('keys: create a users:read key, use it, revoke it', async () => {
      await nav(page, 'API keys').click()
      await heading(page, 'API keys').waitFor()
      await settled(page)
      const open = page.getByRole('button', { name: 'New key' })
      if ((await open.getAttribute('aria-expanded')) !== 'true') await open.click()
      await page.getByLabel('Name').fill('console test')
      await page.getByLabel('users:read').check()
      await page.getByRole('button', { name: 'Create key' }).click()
      const secret = page.getByLabel('New API key “console test”')
      await secret.waitFor()
      const key = await secret.inputValue()
      check(/^ptk_[0-9a-f]{64}$/.test(key), `the key shown is ${key}`)
      await page.getByRole('button', { name: 'Copy' }).click()
      await page.getByRole('status').filter({ hasText: /Copied|Could not copy/ }).waitFor()
      await axe(page, 'keys (with a new key)')
      const used = curlStatus(key, 'users/')
      check(used === '200', `the new key got ${used}`)
      const denied = curlStatus(key, 'keys/')
      check(denied === '403', `the users:read key got ${denied} on keys/ (403 expected)`)
      await page.getByRole('button', { name: 'I have stored it' }).click()
      await page.reload()
      await heading(page, 'API keys').waitFor()
      await settled(page)
      const row = page.getByRole('row').filter({ hasText: 'console test' })
      await row.getByText('users:read').waitFor()
      check(!(await row.textContent()).includes('not yet'), 'the key\'s last use is not shown')
      await row.getByRole('button', { name: 'Revoke console test' }).click()
      const dialog = page.getByRole('dialog', { name: 'Revoke the key “console test”?' })
      await dialog.waitFor()
      await dialog.getByRole('button', { name: 'Revoke', exact: true }).click()
      await row.getByText('revoked', { exact: true }).waitFor()
      const after = curlStatus(key, 'users/')
      check(after === '401', `the revoked key got ${after}`)
      // A second key, with an expiry, so the list shows both states.
      await page.getByRole('button', { name: 'New key' }).click()
      await page.getByLabel('Name').fill('reporting')
      await page.getByLabel('users:read').check()
      await page.getByLabel('audit:read').check()
      await page.getByLabel('Expires after (days)').fill('90')
      await page.getByRole('button', { name: 'Create key' }).click()
      await page.getByLabel('New API key “reporting”').waitFor()
      await page.getByRole('button', { name: 'I have stored it' }).click()
      const second = page.getByRole('row').filter({ hasText: 'reporting' })
      await second.getByText('active', { exact: true }).waitFor()
      await second.getByText(/in 3 months|in 90 days/).waitFor()
      await axe(page, 'keys')
      await shot(page, 'keys.png')
    })

    await step('files: the list renders; a category is added, refused as a duplicate, renamed and deleted', async () => {
      await nav(page, 'Files').click()
      await heading(page, 'Files').waitFor()
      await settled(page)
      // The run may have no files: then the list says so; else every row links to its file.
      const files = page.getByRole('table', { name: 'Files', exact: true })
      const links = await files.locator('tbody a[href^="#/files/"]').count()
      const none = await files.getByText('No files yet: they appear here once they are uploaded.').count()
      check(links > 0 ? none === 0 : none === 1, `the files list shows ${links} links and ${none} empty lines`)
      const newName = page.getByLabel('New category', { exact: true })
      await newName.fill('Console photos')
      await page.getByRole('button', { name: 'Add category' }).click()
      const cats = page.getByRole('table', { name: 'Categories', exact: true })
      await cats.getByRole('rowheader', { name: 'Console photos', exact: true }).waitFor()
      const filter = page.getByLabel('Category', { exact: true })
      await until(async () => (await filter.locator('option').allTextContents()).includes('Console photos'), 'the category filter offers the new category')
      // The same name again: the server's 400 is shown next to the form.
      await newName.fill('Console photos')
      expectResponse('POST', /\/admin\/api\/file-categories\/$/, 400)
      await page.getByRole('button', { name: 'Add category' }).click()
      await page.getByRole('alert').filter({ hasText: 'another file category has this name' }).waitFor()
      check((await newName.getAttribute('aria-invalid')) === 'true', 'the new category field is not marked invalid')
      await settled(page)
      await axe(page, 'files (with an error)')
      await cats.getByRole('button', { name: 'Rename Console photos', exact: true }).click()
      const rename = page.getByLabel('New name for “Console photos”')
      await rename.fill('Console pictures')
      await page.getByRole('button', { name: 'Save name' }).click()
      await cats.getByRole('rowheader', { name: 'Console pictures', exact: true }).waitFor()
      check((await cats.getByRole('rowheader', { name: 'Console photos', exact: true }).count()) === 0, 'the old name is still listed')
      await until(async () => {
        const offered = await filter.locator('option').allTextContents()
        return offered.includes('Console pictures') && !offered.includes('Console photos')
      }, 'the category filter offers the new name only')
      await settled(page)
      await axe(page, 'files')
      await cats.getByRole('button', { name: 'Delete Console pictures', exact: true }).click()
      const dialog = page.getByRole('dialog', { name: 'Delete the category “Console pictures”?' })
      await dialog.waitFor()
      await dialog.getByRole('button', { name: 'Delete', exact: true }).click()
      await until(async () => (await page.getByRole('rowheader', { name: 'Console pictures', exact: true }).count()) === 0, 'the deleted category is gone from the list')
      await until(async () => !(await filter.locator('option').allTextContents()).includes('Console pictures'), 'the category filter no longer offers the deleted category')
      await settled(page)
    })

    await step('audit: filter by user.update and see Bob\'s change', async () => {
      await nav(page, 'Audit log').click()
      await heading(page, 'Audit log').waitFor()
      await settled(page)
      await page.getByLabel('Action', { exact: true }).fill('user.update')
      await page.getByRole('button', { name: 'Apply filters' }).click()
      const table = page.getByRole('table', { name: 'Audit log' })
      await until(async () => {
        const rows = await table.locator('tbody tr').allTextContents()
        return rows.length >= 1 && rows.every((r) => r.includes('user.update')) && rows.some((r) => r.includes(`_userprofile · ${bobId}`) && r.includes('Bobby'))
      }, 'the audit log lists Bob\'s update only')
      await axe(page, 'audit')
      await shot(page, 'audit.png')
    })

    await step('language: Chinese and back', async () => {
      await page.getByLabel('Language').selectOption('zh')
      await heading(page, '审计日志').waitFor()
      await page.getByRole('navigation', { name: '控制台' }).getByRole('link', { name: '用户', exact: true }).waitFor()
      const lang = await page.evaluate(() => document.documentElement.lang)
      check(lang === 'zh-CN', `<html lang> is ${lang}`)
      await settled(page)
      await axe(page, 'audit (Chinese)')
      await page.getByLabel('语言').selectOption('en')
      await heading(page, 'Audit log').waitFor()
    })

    await step('sign out, then a stale session shows the expired message', async () => {
      const token = await page.evaluate(() => JSON.parse(localStorage.getItem('protium.console.session')).token)
      await page.getByRole('button', { name: 'Sign out' }).click()
      await heading(page, 'Sign in').waitFor()
      await page.getByRole('status').filter({ hasText: 'You are signed out.' }).waitFor()
      const gone = curlStatus(token, 'me/')
      check(gone === '401', `the signed-out session still answers ${gone}`)
      await page.evaluate((t) => localStorage.setItem('protium.console.session', JSON.stringify({ token: t, email: 'admin@example.com' })), token)
      expectResponse('GET', /\/admin\/api\/me\/$/, 401)
      await page.reload()
      await page.getByRole('alert').filter({ hasText: 'Your session expired. Sign in again to continue.' }).waitFor()
      await axe(page, 'sign-in (session expired)')
    })

    // Failed-to-load lines for the responses a step expected are not errors.
    for (const e of consoleErrors) {
      if (/^Failed to load resource/.test(e.text) && tolerated.has(e.url)) continue
      problems.push(`console error: ${e.text} ${e.url}`)
    }
    for (const a of allowances) {
      if (a.left > 0) problems.push(`an expected HTTP ${a.status} for ${a.method} ${a.urlPattern} never came`)
    }
    if (problems.length) throw new Error(`problems during the run:\n  ${problems.join('\n  ')}`)
    console.log(`console: ok (${stepNo} steps, ${((Date.now() - started) / 1000).toFixed(1)} s)`)
  } finally {
    await context.close()
    fs.rmSync(profile, { recursive: true, force: true })
  }
}

main().catch((err) => {
  console.error('console FAILED:', err && err.stack ? err.stack : err)
  process.exit(1)
})
