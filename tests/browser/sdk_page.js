// A web page built on minapp-sdk's web build, in headless Chromium, as a
// bookshelf app written for Hydrogen has it: camelCase fields (bookName,
// coverImage__URL), a query on one of them, the list drawn into the page.
// The server runs tests/schema/hydrogen.
//   node sdk_page.js <server address> <screenshot.png>
// Exits 0 when the page shows what the app stored; prints what it saw.
'use strict'

const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { chromium } = require('playwright-core')

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
]
const SDK = path.join(__dirname, '..', 'sdk', 'node_modules', 'minapp-sdk', 'lib', 'web.js')

const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bookshelf</title>
<style>body{font:16px system-ui;margin:2rem} li{margin:.3rem 0}</style></head>
<body><h1>Bookshelf</h1><ul id="shelf"></ul><p id="status">loading</p></body></html>`

async function main() {
  const [address, shot] = process.argv.slice(2)
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'protium-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
  })
  try {
    const page = await context.newPage()
    // The page lives on the server's origin, as an app's own page would.
    await page.goto(`${address}/health/`)
    await page.setContent(PAGE)
    await page.addScriptTag({ path: SDK })
    await page.evaluate(async (host) => {
      const BaaS = window.BaaS
      BaaS.init('bookshelf-web', { host })
      const stamp = Date.now()
      await BaaS.auth.register({ email: `reader-${stamp}@example.com`, password: 'secret123' })
      const books = new BaaS.TableObject('book')
      for (const [bookName, order] of [['Dune', 2], ['Emma', 1], ['Ulysses', 3]]) {
        await books.create().set({ bookName, order, coverImage__URL: `https://img.test/${bookName}.png` }).save()
      }
      const query = new BaaS.Query()
      query.contains('bookName', 'e')
      const found = await books.setQuery(query).orderBy('-order').find()
      const shelf = document.getElementById('shelf')
      for (const book of found.data.objects) {
        const item = document.createElement('li')
        item.textContent = `${book.bookName} (#${book.order})`
        item.dataset.cover = book.coverImage__URL
        shelf.appendChild(item)
      }
      document.getElementById('status').textContent = 'ready'
    }, address)
    await page.getByText('ready').waitFor({ timeout: 10000 })
    const items = await page.locator('#shelf li').allTextContents()
    const covers = await page.locator('#shelf li').evaluateAll((lis) => lis.map((li) => li.dataset.cover))
    console.log(`sdk page: ${JSON.stringify(items)} ${JSON.stringify(covers)}`)
    if (JSON.stringify(items) !== JSON.stringify(['Ulysses (#3)', 'Dune (#2)'])) throw new Error('wrong books shown')
    if (covers[1] !== 'https://img.test/Dune.png') throw new Error('cover lost')
    await page.screenshot({ path: shot, fullPage: true })
    console.log('sdk page: ok')
  } finally {
    await context.close()
    fs.rmSync(profile, { recursive: true, force: true })
  }
}

main().catch((err) => {
  console.error('sdk page FAILED:', err)
  process.exit(1)
})
