// Signs in at the test OpenID Connect provider in headless Chromium, as a person
// would, and prints the URL the provider finally sends the browser to.
//   node oidc_login.js <redirect_url> <login name> <prefix of the app's callback URL>
'use strict'

const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { chromium } = require('playwright-core')

async function main() {
  const [start, login, callbackPrefix] = process.argv.slice(2)
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'protium-oidc-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  try {
    const page = await context.newPage()
    // Navigations go to stderr, shown when a run fails.
    page.on('framenavigated', (f) => { if (f === page.mainFrame()) console.error(`nav ${f.url()}`) })
    let landed = null
    // The app's callback URL need not exist: catch the navigation to it.
    await page.route(`${callbackPrefix}**`, async (route) => {
      landed = route.request().url()
      await route.fulfill({ status: 200, contentType: 'text/html', body: '<p>back in the app</p>' })
    })
    await page.goto(start)
    await page.locator('input[name="login"]').fill(login)
    await page.locator('input[name="password"]').fill('any password')
    await page.locator('button[type="submit"]').click()
    const consent = page.locator('button[type="submit"]')
    for (let i = 0; i < 3 && !landed; i++) {
      await page.waitForLoadState('load')
      if (landed) break
      if (await consent.count()) await consent.first().click()
      await page.waitForTimeout(300)
    }
    for (let i = 0; i < 50 && !landed; i++) await page.waitForTimeout(100)
    if (!landed) throw new Error(`never reached ${callbackPrefix}; at ${page.url()}`)
    console.log(`landed ${landed}`)
  } finally {
    await context.close()
    fs.rmSync(profile, { recursive: true, force: true })
  }
}

main().catch((err) => {
  console.error('oidc login FAILED:', err && err.stack ? err.stack : err)
  process.exit(1)
})
