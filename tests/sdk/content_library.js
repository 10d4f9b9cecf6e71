// The content library through the SDK's BaaS.ContentGroup (web build): the
// groups, a group's contents with a query (no bodies in the list), one
// content with its body, the group's categories with have_children, and one
// category with its children. The server runs tests/schema/hydrogen with the
// data the calling test created: group GROUP with categories Travel (child
// Asia) and Food, and contents "Kyoto" (Travel, Asia) and "Ramen" (Food).
// Usage: node content_library.js http://127.0.0.1:PORT GROUP_ID
'use strict'

const assert = require('node:assert/strict')

const [host, groupId] = process.argv.slice(2)
const BaaS = require('./platform_env.js').loadBuild('minapp-sdk', 'web', host, 'sdk-content')
const step = (name) => console.log(`sdk content: ${name}`)

async function main() {
  step('ContentGroup.find() lists the groups')
  const groups = await BaaS.ContentGroup.find({ withCount: true })
  assert.equal(groups.data.meta.total_count, 1)
  assert.equal(groups.data.objects[0].name, 'Guides')
  const got = await BaaS.ContentGroup.get(groupId)
  assert.equal(got.data.name, 'Guides')

  const guides = new BaaS.ContentGroup(groupId)
  step('getCategoryList() with have_children')
  const categories = await guides.getCategoryList({ withCount: true })
  const byName = Object.fromEntries(categories.data.objects.map((c) => [c.name, c]))
  assert.equal(byName.Travel.have_children, true)
  assert.equal(byName.Food.have_children, false)
  assert.equal(byName.Asia.have_children, false)

  step('getCategory() with its children')
  const travel = await guides.getCategory(byName.Travel.id)
  assert.deepEqual(travel.data.children.map((c) => c.name), ['Asia'])

  step('find() with arrayContains on categories, no bodies')
  const query = new BaaS.Query()
  query.arrayContains('categories', [byName.Asia.id])
  const found = await guides.setQuery(query).orderBy('title').find({ withCount: true })
  assert.deepEqual(found.data.objects.map((c) => c.title), ['Kyoto'])
  assert.equal(found.data.objects[0].content, undefined, 'a list carries no body')
  assert.equal(await guides.count(), 2)

  step('getContent() with its body')
  const kyoto = await guides.getContent(found.data.objects[0].id)
  assert.equal(kyoto.data.content, '<p>Temples</p>')

  step('contents are read-only for clients')
  await BaaS.auth.register({ email: `reader-${Date.now()}@example.com`, password: 'secret123' })
  await assert.rejects(
    () => new BaaS.TableObject('content').create().set({ title: 'x', group_id: groupId }).save(),
    (err) => err.code === 403,
  )
  console.log('sdk content: all steps passed')
}

main().catch((err) => {
  console.error('sdk content FAILED:', err && err.code, err && err.message, err && err.stack)
  process.exit(1)
})
