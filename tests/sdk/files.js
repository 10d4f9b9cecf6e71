// The File API through the official web SDK (minapp-sdk 3.23) under Node:
// File.upload in its two steps, the file fetched from its path, a record and
// the profile holding the uploaded file, File.get and File.find, the file
// categories (FileCategory.find/get/getFileList), another user
// seeing none of it, File.delete of one and of a list.
// Usage: node files.js http://127.0.0.1:PORT
'use strict'

const assert = require('node:assert/strict')

const BaaS = require('./sdk_env.js').loadSdk('files.js', 'sdk-files-client')

const step = (name) => console.log(`files step: ${name}`)

// A 1×1 transparent PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgAAIAAAUAAQ0KLbQAAAAASUVORK5CYII=',
  'base64',
)

/** The SDK's rejection for a missing file: an HError with the status. */
const notFound = (err) => err.code === 404 || err.status === 404

async function main() {
  const stamp = Date.now()
  const password = 'secret123'

  step('sign up')
  await BaaS.auth.register({ username: `ann${stamp}`, password })

  step('upload a text file in two steps')
  const text = Buffer.from('hello, files')
  const uploaded = await new BaaS.File().upload(
    { fileObj: new File([text], 'hello.txt', { type: 'text/plain' }) },
    { categoryName: 'docs' },
  )
  const file = uploaded.data.file
  assert.match(file.id, /^[0-9a-f]{24}$/)
  assert.equal(file.name, 'hello.txt')
  assert.equal(file.size, text.length)
  assert.match(file.mime_type, /^text\/plain/)
  assert.match(file.path, /^http:\/\//)
  assert.equal(file.cdn_path, file.path)
  assert.equal(typeof file.created_at, 'number')

  step('fetch it from its path')
  const served = await fetch(file.path)
  assert.equal(served.status, 200)
  assert.match(served.headers.get('content-type'), /^text\/plain/)
  assert.equal(served.headers.get('x-content-type-options'), 'nosniff')
  assert.match(served.headers.get('content-disposition'), /^attachment/)
  assert.deepEqual(Buffer.from(await served.arrayBuffer()), text)
  const range = await fetch(file.path, { headers: { Range: 'bytes=0-3' } })
  assert.equal(range.status, 206)
  assert.equal(Buffer.from(await range.arrayBuffer()).toString(), 'hell')

  step('upload an image, shown in place')
  const pixel = new File([PNG], 'pixel.png', { type: 'image/png' })
  const image = (await new BaaS.File().upload({ fileObj: pixel })).data.file
  assert.equal(image.mime_type, 'image/png')
  const shown = await fetch(image.path)
  assert.match(shown.headers.get('content-disposition'), /^inline/)

  step('a record holds the uploaded image, as the SDK sends it')
  const Album = new BaaS.TableObject('album')
  const saved = (await Album.create().set({ title: 'summer', cover: image, photos: [image] }).save()).data
  assert.equal(saved.cover.id, image.id)
  assert.equal(saved.cover.path, image.path)
  assert.equal(saved.cover.name, 'pixel.png')
  assert.equal(saved.photos[0].mime_type, 'image/png')
  const withCover = new BaaS.Query()
  withCover.exists('cover')
  const albums = (await Album.setQuery(withCover).find()).data.objects
  assert.deepEqual(albums.map((a) => a.cover.id), [image.id])

  step('the profile holds it as the avatar')
  const me = await BaaS.auth.getCurrentUser()
  const updated = (await me.set('avatar', image).update()).data
  assert.equal(updated.avatar.path, image.path)

  step('File.get')
  const got = await new BaaS.File().get(file.id)
  assert.equal(got.data.id, file.id)
  assert.equal(got.data.name, 'hello.txt')
  assert.equal(got.data.size, text.length)
  assert.equal(got.data.path, file.path)

  step('FileCategory.find, get and getFileList')
  const FileCategory = new BaaS.FileCategory()
  const categories = (await FileCategory.find({ withCount: true })).data
  assert.deepEqual(categories.objects.map((c) => [c.name, c.files]), [['docs', 1]])
  assert.equal(categories.meta.total_count, 1)
  const docs = categories.objects[0]
  assert.equal((await FileCategory.get(docs.id)).data.name, 'docs')
  const inDocs = (await FileCategory.getFileList(docs.id, { withCount: true })).data
  assert.deepEqual(inDocs.objects.map((f) => f.id), [file.id])

  step('File.find, counted')
  const found = await new BaaS.File().find({ withCount: true })
  const ids = found.data.objects.map((f) => f.id).sort()
  assert.deepEqual(ids, [file.id, image.id].sort())
  assert.equal(found.data.meta.total_count, 2)

  step('File.find with a Query')
  const byName = new BaaS.Query()
  byName.contains('name', 'pix')
  const pixels = (await new BaaS.File().setQuery(byName).find()).data.objects
  assert.deepEqual(pixels.map((f) => f.id), [image.id])

  step('another user sees none of it')
  await BaaS.auth.logout()
  await BaaS.auth.register({ username: `bob${stamp}`, password })
  const theirs = await new BaaS.File().find()
  assert.deepEqual(theirs.data.objects, [])
  await assert.rejects(() => new BaaS.File().get(file.id), notFound)
  await assert.rejects(() => new BaaS.File().delete(file.id), notFound)

  step('the owner deletes one file')
  await BaaS.auth.logout()
  await BaaS.auth.login({ username: `ann${stamp}`, password })
  await new BaaS.File().delete(file.id)
  await assert.rejects(() => new BaaS.File().get(file.id), notFound)
  assert.equal((await fetch(file.path)).status, 404)

  step('and the rest as a list')
  await new BaaS.File().delete([image.id])
  assert.deepEqual((await new BaaS.File().find()).data.objects, [])

  console.log('files done')
}

main().catch((err) => {
  console.error('files: failed:', err && (err.stack || JSON.stringify(err)))
  process.exit(1)
})
