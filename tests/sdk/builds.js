// One app's everyday flow through any minapp-sdk build an app may ship: sign
// up, log in, read and update the profile, create records, list them with a
// query, update and delete one; upload a file, read it back and delete it. The server runs the record-test schema
// (tests/schema/records: table product) on an empty database.
// Usage: node builds.js http://127.0.0.1:PORT <npm package or alias> <web|wechat>
// Exits 0 when every step behaved as the SDK expects; prints each step.
'use strict'

const assert = require('node:assert/strict')

const [host, pkg, platform] = process.argv.slice(2)
if (!host || !pkg || !platform) {
  console.error('usage: node builds.js http://127.0.0.1:PORT PACKAGE web|wechat')
  process.exit(2)
}
const BaaS = require('./platform_env.js').loadBuild(pkg, platform, host, `sdk-${platform}`)
const version = require(`${pkg}/package.json`).version
const step = (name) => console.log(`sdk ${version} ${platform}: ${name}`)

/** The user id a sign-in answered, whichever shape this build gives it in. */
const idOf = (user) => (user && (user.id || (user.get && user.get('id')))) || null

async function main() {
  const stamp = `${Date.now()}${Math.floor(Math.random() * 1e6)}`
  const email = `build-${stamp}@example.com`

  step('register by email')
  const registered = await BaaS.auth.register({ email, password: 'secret123' })
  const userId = idOf(registered)
  assert.ok(Number.isInteger(userId), `user id is an integer: ${userId}`)
  await BaaS.auth.logout()

  step('log in by email')
  const loggedIn = await BaaS.auth.login({ email, password: 'secret123' })
  assert.equal(idOf(loggedIn), userId)

  step('read the profile')
  const me = await BaaS.auth.getCurrentUser()
  assert.equal(me.get('_email'), email)
  assert.equal(me.get('_anonymous'), false)

  step('update the profile')
  const updated = await me.set('nickname', `Build ${version}`).update()
  assert.equal(updated.data.nickname, `Build ${version}`)

  const products = new BaaS.TableObject('product')
  step('create records')
  for (const [name, price] of [
    ['Pen', 2],
    ['Pencil', 1],
    ['Paper', 5],
  ]) {
    const saved = await products.create().set({ name: `${name} ${stamp}`, price }).save()
    assert.equal(saved.statusCode, 201)
    assert.equal(saved.data.name, `${name} ${stamp}`)
  }

  step('list with a query')
  const query = new BaaS.Query()
  query.compare('price', '>=', 2)
  query.contains('name', stamp)
  const found = await products.setQuery(query).orderBy('-price').find()
  assert.deepEqual(
    found.data.objects.map((p) => p.name),
    [`Paper ${stamp}`, `Pen ${stamp}`],
  )
  const count = await products.setQuery(query).count()
  assert.equal(count, 2)

  step('update one')
  const paper = found.data.objects[0]
  const changed = await products.getWithoutData(paper.id).set('price', 6).update()
  assert.equal(changed.data.price, 6)

  step('delete one')
  const deleted = await products.delete(paper.id)
  assert.equal(deleted.statusCode, 204)
  // 3.x rejects with an HError (code), 2.x with the response (status).
  await assert.rejects(() => products.get(paper.id), (err) => (err.code || err.status) === 404)

  step('upload a file, read it back, delete it')
  const text = `note ${stamp}`
  let source
  if (platform === 'web') {
    source = { fileObj: new File([text], 'note.txt', { type: 'text/plain' }) }
  } else {
    const filePath = require('node:path').join(require('node:os').tmpdir(), `note-${stamp}.txt`)
    require('node:fs').writeFileSync(filePath, text)
    source = { filePath }
  }
  const uploaded = await new BaaS.File().upload(source)
  // 3.x answers a response whose data holds the file; 2.0 the bare result.
  const result = uploaded.data || uploaded
  const file = result.file
  assert.match(file.id, /^[0-9a-f]{24}$/)
  assert.equal(file.size, text.length)
  const path = result.path || file.path
  const served = await fetch(path)
  assert.equal(await served.text(), text)
  const got = await new BaaS.File().get(file.id)
  assert.equal(got.data.id, file.id)
  await new BaaS.File().delete(file.id)
  assert.equal((await fetch(path)).status, 404)

  console.log(`sdk ${version} ${platform}: all steps passed`)
}

main().catch((err) => {
  console.error(`sdk ${version} ${platform} FAILED:`, err && err.code, err && err.message, err && err.stack)
  process.exit(1)
})
