// Drives the pages that mailed links open, in headless Chromium, as a person would.
//   node pages.js verify <link> <screenshot.png>
//   node pages.js reset  <link> <new password> <screenshot.png>
// Exits 0 when the page behaved as expected; prints what it saw.
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

async function main() {
  const [mode, link, ...rest] = process.argv.slice(2)
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'protium-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    locale: 'en-US',
  })
  try {
    const page = await context.newPage()
    if (mode === 'verify') {
      const [shot] = rest
      const response = await page.goto(link)
      // Opening the link only asks; the button confirms.
      await page.getByRole('heading', { name: 'Confirm your email' }).waitFor({ timeout: 10000 })
      await page.getByRole('button', { name: /^Confirm / }).click()
      await page.getByRole('heading', { name: 'Email confirmed' }).waitFor({ timeout: 10000 })
      console.log(`verify page: status ${response.status()}, asked first, then heading "Email confirmed"`)
      await page.screenshot({ path: shot, fullPage: true })
    } else if (mode === 'reset') {
      const [password, shot] = rest
      await page.goto(link)
      await page.getByRole('heading', { name: 'Choose a new password' }).waitFor({ timeout: 10000 })
      // A typo in the second field is caught and explained on the same page.
      await page.getByLabel('New password', { exact: true }).fill(password)
      await page.getByLabel('Repeat the new password').fill(password + 'x')
      await page.getByRole('button', { name: 'Set new password' }).click()
      await page.getByRole('alert').filter({ hasText: 'not the same' }).waitFor({ timeout: 10000 })
      console.log('reset page: mismatch explained')
      await page.getByLabel('New password', { exact: true }).fill(password)
      await page.getByLabel('Repeat the new password').fill(password)
      await page.getByRole('button', { name: 'Set new password' }).click()
      await page.getByRole('heading', { name: 'Password changed' }).waitFor({ timeout: 10000 })
      console.log('reset page: "Password changed"')
      await page.screenshot({ path: shot, fullPage: true })
    } else {
      throw new Error(`unknown mode ${mode}`)
    }
    console.log('browser pages: ok')
  } finally {
    await context.close()
    fs.rmSync(profile, { recursive: true, force: true })
  }
}

main().catch((err) => {
  console.error('browser pages FAILED:', err && err.stack ? err.stack : err)
  process.exit(1)
})
