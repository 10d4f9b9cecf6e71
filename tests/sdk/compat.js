// Drives a running Protium server with the official Hydrogen web SDK (minapp-sdk's
// lib/web.js) under Node, following the recipe of HYDROGEN-API.md §7.
// Usage: node compat.js http://127.0.0.1:PORT
// Exits 0 when every step behaved as the SDK expects; prints each step.
'use strict'

const assert = require('node:assert/strict')

const BaaS = require('./sdk_env.js').loadSdk('compat.js', 'sdk-compat-client')

const step = (name) => console.log(`sdk step: ${name}`)

async function main() {
  const stamp = Date.now()
  const email = `sdk-${stamp}@example.com`

  step('register by email')
  const registered = await BaaS.auth.register({ email, password: 'secret123' })
  assert.equal(registered.get('_email'), email)
  const userId = registered.id
  assert.ok(Number.isInteger(userId), `user id is an integer: ${userId}`)

  step('a second user to find')
  await BaaS.auth.register({ username: `lisa${stamp}`, password: 'secret123' })
  await (await BaaS.auth.getCurrentUser()).set('nickname', 'Lisa Li').update()
  await BaaS.auth.logout()

  step('login by email')
  const loggedIn = await BaaS.auth.login({ email, password: 'secret123' })
  assert.equal(loggedIn.id, userId)

  step('getCurrentUser')
  const me = await BaaS.auth.getCurrentUser()
  assert.equal(me.id, userId)
  assert.equal(me.get('_email'), email)
  assert.equal(me.get('_anonymous'), false)

  step('set().update() with $incr_by')
  const updated = await me.set('nickname', 'Sdk Li').incrementBy('score', 2).update()
  assert.equal(updated.data.nickname, 'Sdk Li')
  assert.equal(updated.data.score, 2)
  const refreshed = await BaaS.auth.getCurrentUser()
  assert.equal(refreshed.get('nickname'), 'Sdk Li')

  step('validation errors arrive as HError 400 with the field named')
  await assert.rejects(
    () => refreshed.set('gender', 9).update(),
    (err) => err.code === 400 && /gender/.test(err.message),
  )

  step('new User().find() with a query and count')
  const query = new BaaS.Query()
  query.contains('nickname', 'Li')
  const users = new BaaS.User()
  const found = await users.setQuery(query).orderBy('nickname').find({ withCount: true })
  const names = found.data.objects.map((u) => u.nickname)
  assert.deepEqual(names, ['Lisa Li', 'Sdk Li'])
  assert.equal(found.data.meta.total_count, 2)
  const other = found.data.objects.find((u) => u.nickname === 'Lisa Li')
  assert.equal(other._email, undefined, "another user's email is not shown")
  const count = await new BaaS.User().setQuery(query).count()
  assert.equal(count, 2)

  step('new User().get(id)')
  const fetched = await new BaaS.User().get(userId)
  assert.equal(fetched.data.nickname, 'Sdk Li')

  step('updatePassword')
  await refreshed.updatePassword({ password: 'secret123', newPassword: 'secret456' })
  await assert.rejects(() => refreshed.updatePassword({ password: 'wrong-one', newPassword: 'secret789' }), (err) => err.code === 400)

  step('logout, then login with the new password')
  await BaaS.auth.logout()
  await assert.rejects(() => BaaS.auth.getCurrentUser(), (err) => err.code === 604)
  await assert.rejects(() => BaaS.auth.login({ email, password: 'secret123' }), (err) => err.code === 400)
  const again = await BaaS.auth.login({ email, password: 'secret456' })
  assert.equal(again.id, userId)

  step('anonymous login, then register upgrades the same user')
  await BaaS.auth.logout()
  const anon = await BaaS.auth.anonymousLogin()
  assert.equal(anon.get('_anonymous'), true)
  const upgraded = await BaaS.auth.register({ username: `anon${stamp}`, password: 'secret123' })
  assert.equal(upgraded.id, anon.id)
  assert.equal(upgraded.get('_anonymous'), false)

  console.log('sdk compat: all steps passed')
}

main().catch((err) => {
  console.error('sdk compat FAILED:', err && err.stack ? err.stack : err)
  process.exit(1)
})
