// A WeChat mini-program's sign-in through the SDK's WeChat build:
// wx.BaaS.auth.loginWithWechat() exchanges the code wx.login gives (served
// from WX_LOGIN_CODES) at the server, the same WeChat user signs in again,
// createUser: false refuses an unknown one, and a registered user links
// their WeChat account with currentUser.linkWechat().
// Usage: WX_LOGIN_CODES=a,b,... node wechat_login.js http://127.0.0.1:PORT <package>
'use strict'

const assert = require('node:assert/strict')

const [host, pkg] = process.argv.slice(2)
const BaaS = require('./platform_env.js').loadBuild(pkg, 'wechat', host, 'sdk-wechat-login')
const version = require(`${pkg}/package.json`).version
const step = (name) => console.log(`sdk ${version} wechat login: ${name}`)

async function main() {
  step('loginWithWechat() creates the user')
  const first = await BaaS.auth.loginWithWechat()
  const id = first.id || first.get('id')
  assert.ok(Number.isInteger(id), `user id: ${id}`)
  assert.equal(first.get('_anonymous'), false)
  await BaaS.auth.logout()

  step('the same WeChat user signs in again')
  const again = await BaaS.auth.loginWithWechat()
  assert.equal(again.id || again.get('id'), id)
  await BaaS.auth.logout()

  step('createUser: false refuses an unknown WeChat user')
  await assert.rejects(
    () => BaaS.auth.loginWithWechat(null, { createUser: false }),
    (err) => (err.code || err.status || err.statusCode) === 404,
  )

  step('a registered user links their WeChat account')
  const stamp = `${Date.now()}${Math.floor(Math.random() * 1e6)}`
  await BaaS.auth.register({ email: `wx-${stamp}@example.com`, password: 'secret123' })
  const me = await BaaS.auth.getCurrentUser()
  const linked = await me.linkWechat()
  assert.equal(linked.statusCode, 200)
  assert.equal(linked.data.user_id, me.id)
  await BaaS.auth.logout()
  const asMe = await BaaS.auth.loginWithWechat()
  assert.equal(asMe.id || asMe.get('id'), me.id)

  console.log(`sdk ${version} wechat login: all steps passed`)
}

main().catch((err) => {
  console.error(`sdk ${version} wechat login FAILED:`, err && err.code, err && err.message, err && err.stack)
  process.exit(1)
})
