// Drives a running Protium server's data tables with the official Hydrogen web SDK
// (minapp-sdk's lib/web.js) under Node: TableObject create/get/update/delete, atomic
// update ops, createMany, queries with Query.or/and, batch update and delete, pointer
// expansion and error codes. The server must run with the schema in
// tests/schema/records (tables product, post, comment) on an empty database.
// Usage: node tables.js http://127.0.0.1:PORT
// Exits 0 when every step behaved as the SDK expects; prints each step.
'use strict'

const assert = require('node:assert/strict')

const BaaS = require('./sdk_env.js').loadSdk('tables.js', 'sdk-tables-client')

const step = (name) => console.log(`sdk step: ${name}`)

/** The names of `objects`, in order. */
const names = (objects) => objects.map((o) => o.name)

/** A query with one `compare` condition. */
const compare = (field, op, value) => {
  const q = new BaaS.Query()
  q.compare(field, op, value)
  return q
}

async function main() {
  const stamp = `${Date.now()}${Math.floor(Math.random() * 1e6)}`

  step('register')
  const user = await BaaS.auth.register({ username: `tbl${stamp}`, password: 'secret123' })
  const userId = user.id
  assert.ok(Number.isInteger(userId), `user id is an integer: ${userId}`)

  const products = new BaaS.TableObject('product')

  step('create().set().save({expand}) fills defaults and expands created_by')
  const created = await products
    .create()
    .set({ name: 'Pen', price: 2, tags: ['a', 'b', 'c'], attrs: { k: 0 }, flag: true })
    .save({ expand: ['created_by'] })
  assert.equal(created.statusCode, 201)
  const penId = created.data.id
  assert.match(String(penId), /^[0-9a-f]{24}$/, `record id is 24 hex digits: ${penId}`)
  assert.equal(typeof created.data.created_by, 'object', 'created_by is expanded')
  assert.equal(created.data.created_by.id, userId)
  assert.equal(created.data.stock, 0)
  assert.deepEqual(created.data.tags, ['a', 'b', 'c'])

  step('select().get(id) returns only the chosen keys')
  const selected = await products.select(['name', 'price']).get(penId)
  assert.equal(selected.statusCode, 200)
  assert.deepEqual(Object.keys(selected.data).sort(), ['_id', 'id', 'name', 'price'])
  assert.equal(selected.data.id, penId)
  assert.equal(selected.data.name, 'Pen')
  assert.equal(selected.data.price, 2)

  step('getWithoutData(id) set/incrementBy/remove/patchObject/unset update()')
  const updated = await products
    .getWithoutData(penId)
    .set('name', 'Pencil')
    .incrementBy('price', 3)
    .remove('tags', 'c')
    .patchObject('attrs', { k: 1 })
    .unset('flag')
    .update()
  assert.equal(updated.statusCode, 200)
  assert.equal(updated.data.name, 'Pencil')
  assert.equal(updated.data.price, 5)
  assert.deepEqual(updated.data.tags, ['a', 'b'])
  assert.deepEqual(updated.data.attrs, { k: 1 })
  // As on Hydrogen, $unset removes the key: the field is absent, not null.
  assert.ok(!('flag' in updated.data), JSON.stringify(updated.data))

  step('append() and uAppend() on an array')
  // A later op on a field replaces an earlier one in the SDK's `$set`, so this
  // sends only `{"tags":{"$append_unique":["a"]}}`: 'd' is not appended.
  const appended = await products.getWithoutData(penId).append('tags', 'd').uAppend('tags', 'a').update()
  assert.deepEqual(appended.data.tags, ['a', 'b'])
  const appendedD = await products.getWithoutData(penId).append('tags', 'd').update()
  assert.deepEqual(appendedD.data.tags, ['a', 'b', 'd'])
  const unique = await products.getWithoutData(penId).uAppend('tags', ['a', 'd']).update()
  assert.deepEqual(unique.data.tags, ['a', 'b', 'd'])

  step('createMany()')
  const many = await products.createMany([
    { name: 'A', price: 1 },
    { name: 'B', price: 10 },
    { name: 'C', price: 20 },
  ])
  assert.equal(many.statusCode, 201)
  assert.equal(many.data.succeed, 3)
  assert.equal(many.data.operation_result.length, 3)
  for (const r of many.data.operation_result) {
    assert.match(String(r.success && r.success.id), /^[0-9a-f]{24}$/, JSON.stringify(r))
  }

  step('setQuery(Query.or(...)).orderBy().find() and count()')
  const either = BaaS.Query.or(compare('price', '>', 15), compare('name', '=', 'A'))
  const found = await products.setQuery(either).orderBy('-price').find()
  assert.deepEqual(names(found.data.objects), ['C', 'A'])
  const cId = found.data.objects[0].id
  assert.equal(await products.setQuery(either).count(), 2)

  step('setQuery(Query.and(...)).find({withCount: true})')
  const between = BaaS.Query.and(compare('price', '>=', 1), compare('price', '<=', 10))
  const ranged = await products.setQuery(between).orderBy('price').find({ withCount: true })
  assert.deepEqual(names(ranged.data.objects), ['A', 'Pencil', 'B'])
  assert.equal(ranged.data.meta.total_count, 3)

  step('limit().offset().getWithoutData(query).set().update() (batch update)')
  const batch = await products
    .limit(10)
    .offset(0)
    .getWithoutData(compare('price', '>=', 10))
    .set('flag', true)
    .update()
  assert.equal(batch.statusCode, 200)
  assert.equal(batch.data.succeed, 2)
  assert.equal(batch.data.operation_result.length, 2)
  for (const r of batch.data.operation_result) {
    assert.ok(r.success && r.success.id, JSON.stringify(r))
  }
  const flagged = await products.setQuery(compare('flag', '=', true)).orderBy('name').find()
  assert.deepEqual(names(flagged.data.objects), ['B', 'C'])

  step('delete(query) (batch delete)')
  const named = new BaaS.Query()
  named.in('name', ['A', 'B'])
  const removed = await products.delete(named)
  assert.equal(removed.statusCode, 200)
  assert.equal(removed.data.succeed, 2)
  assert.equal(await products.count(), 2)
  const left = await products.orderBy('name').find()
  assert.deepEqual(names(left.data.objects), ['C', 'Pencil'])

  step('delete(id), then get(id) is 404')
  const deleted = await products.delete(penId)
  assert.equal(deleted.statusCode, 204)
  await assert.rejects(() => products.get(penId), (err) => err.code === 404)

  step('a pointer written with getWithoutData() and read with expand()')
  const post = await new BaaS.TableObject('post').create().set({ title: 't' }).save()
  assert.equal(post.statusCode, 201)
  const postId = post.data.id
  const comment = await new BaaS.TableObject('comment')
    .create()
    .set({ post: new BaaS.TableObject('post').getWithoutData(postId), text: 'hi' })
    .save()
  assert.equal(comment.statusCode, 201)
  assert.equal(comment.data.post.id, postId)
  assert.equal(comment.data.post._table, 'post')
  const expanded = await new BaaS.TableObject('comment').expand(['post']).get(comment.data.id)
  assert.equal(expanded.data.post.title, 't')
  assert.equal(expanded.data.post._table, 'post')
  assert.equal(expanded.data.post.id, postId)

  step('a missing required field is HError 400')
  await assert.rejects(
    () => products.create().set({ price: 1 }).save(),
    (err) => err.code === 400,
  )

  step("another user may not update the record: HError 403")
  await BaaS.auth.logout()
  await BaaS.auth.register({ username: `tbl2${stamp}`, password: 'secret123' })
  await assert.rejects(
    () => products.getWithoutData(cId).set('name', 'x').update(),
    (err) => err.code === 403,
  )
  const still = await products.get(cId)
  assert.equal(still.data.name, 'C')

  console.log('sdk tables: all steps passed')
}

main().catch((err) => {
  console.error('sdk tables FAILED:', err && err.stack ? err.stack : err)
  process.exit(1)
})
