// Loads a minapp-sdk build under Node as its platform would run it: the web
// build with a window and XMLHttpRequest (sdk_env.js), or the WeChat build
// (lib/index.js) with a `wx` global whose request and storage calls are
// served by Node (fetch, an in-memory map). Requests may only reach the
// Protium server under test: anything else (the SDK's statistics hosts)
// fails at once, as on a device without network.
'use strict'

/** Query-string form of a GET body, as wx.request sends it. */
function queryOf(data) {
  if (!data || typeof data !== 'object') return ''
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(data)) {
    if (value === undefined) continue
    params.append(key, typeof value === 'object' ? JSON.stringify(value) : String(value))
  }
  const text = params.toString()
  return text ? `?${text}` : ''
}

/** A `wx` global for the WeChat build, serving requests to `host` only. */
function wechatGlobal(host) {
  const storage = new Map()
  const loginCodes = (process.env.WX_LOGIN_CODES || '').split(',').filter(Boolean)
  const request = ({ url, method = 'GET', data, header = {}, success, fail, complete }) => {
    const done = (outcome, value) => {
      if (outcome) outcome(value)
      if (complete) complete(value)
    }
    if (!url.startsWith(host)) {
      setImmediate(() => done(fail, { errMsg: 'request:fail offline' }))
      return
    }
    const verb = method.toUpperCase()
    const target = verb === 'GET' ? url + (url.includes('?') ? queryOf(data).replace('?', '&') : queryOf(data)) : url
    const init = { method: verb, headers: { 'Content-Type': 'application/json', ...header } }
    if (verb !== 'GET' && data !== undefined) init.body = typeof data === 'string' ? data : JSON.stringify(data)
    fetch(target, init)
      .then(async (res) => {
        const text = await res.text()
        let body = text
        try {
          body = JSON.parse(text)
        } catch (_) {}
        done(success, { data: body, statusCode: res.status, header: Object.fromEntries(res.headers) })
      })
      .catch((err) => done(fail, { errMsg: `request:fail ${err.message}` }))
  }
  // wx.uploadFile posts the file at filePath and formData as a multipart
  // form, answering the body as text (the SDK parses it).
  const uploadFile = ({ url, filePath, name, formData = {}, header = {}, success, fail, complete }) => {
    const done = (outcome, value) => {
      if (outcome) outcome(value)
      if (complete) complete(value)
    }
    const form = new FormData()
    const bytes = require('node:fs').readFileSync(filePath)
    form.append(name, new Blob([bytes]), require('node:path').basename(filePath))
    for (const [key, value] of Object.entries(formData)) form.append(key, value)
    const headers = Object.fromEntries(
      Object.entries(header).filter(([key]) => key.toLowerCase() !== 'content-type'),
    )
    if (!url.startsWith(host)) {
      setImmediate(() => done(fail, { errMsg: 'uploadFile:fail offline' }))
    } else {
      fetch(url, { method: 'POST', headers, body: form })
        .then(async (res) => done(success, { data: await res.text(), statusCode: res.status }))
        .catch((err) => done(fail, { errMsg: `uploadFile:fail ${err.message}` }))
    }
    return { onProgressUpdate() {}, abort() {} }
  }
  return {
    request,
    uploadFile,
    getStorageSync: (k) => (storage.has(k) ? storage.get(k) : ''),
    setStorageSync: (k, v) => storage.set(k, v),
    removeStorageSync: (k) => storage.delete(k),
    getStorage: ({ key, success, fail }) => (storage.has(key) ? success({ data: storage.get(key) }) : fail && fail({})),
    setStorage: ({ key, data, success }) => {
      storage.set(key, data)
      if (success) success({})
    },
    getSystemInfoSync: () => ({ platform: 'devtools', SDKVersion: '2.30.0', version: '8.0.0' }),
    getSystemInfo: ({ success }) => success({ platform: 'devtools', SDKVersion: '2.30.0' }),
    getAccountInfoSync: () => ({ miniProgram: { appId: 'wx-test', envVersion: 'develop' } }),
    // wx.login hands out the next code of WX_LOGIN_CODES (comma separated),
    // as WeChat would for the user signed in to the device.
    login: ({ success, fail, complete }) => {
      const code = loginCodes.shift()
      setImmediate(() => {
        if (code) success({ code, errMsg: 'login:ok' })
        else if (fail) fail({ errMsg: 'login:fail no code left' })
        if (complete) complete()
      })
    },
    getNetworkType: ({ success, complete }) => {
      if (success) success({ networkType: 'none' })
      if (complete) complete()
    },
    onAppShow() {},
    onAppHide() {},
    onNetworkStatusChange() {},
    canIUse: () => false,
  }
}

/**
 * Points a build at `host`. Builds from 3.x take `{host}` in `BaaS.init`;
 * older ones derive the host from the client id (`<id>.myminapp.com`), and an
 * app moving to Protium replaces that function, as this does.
 */
function pointAt(BaaS, host) {
  if (BaaS._polyfill && typeof BaaS._polyfill.getAPIHost === 'function') {
    BaaS._polyfill.getAPIHost = () => host
  }
}

/** The initialised SDK of package `pkg` (an npm alias) for `platform`. */
function loadBuild(pkg, platform, host, clientId) {
  if (platform === 'web') {
    const storage = new Map()
    global.window = {
      addEventListener() {},
      removeEventListener() {},
      localStorage: {
        getItem: (k) => (storage.has(k) ? storage.get(k) : null),
        setItem: (k, v) => storage.set(k, String(v)),
        removeItem: (k) => storage.delete(k),
      },
    }
    const Xhr = require('xhr2')
    // Only the server under test is reachable: any other address (an old
    // build's default API host, a version check) gets the server's 404.
    global.XMLHttpRequest = class extends Xhr {
      open(method, url, ...rest) {
        return super.open(method, String(url).startsWith(host) ? url : `${host}/offline/`, ...rest)
      }

      // A browser sends FormData and Blob bodies (the SDK's uploads); xhr2
      // takes bytes only, so they are encoded as a browser would encode them.
      send(data) {
        if (data instanceof FormData || data instanceof Blob) {
          const encoded = new Response(data)
          const type = encoded.headers.get('content-type')
          if (type && data instanceof FormData) this.setRequestHeader('Content-Type', type)
          encoded.arrayBuffer().then((bytes) => super.send(Buffer.from(bytes)))
          return undefined
        }
        return super.send(data)
      }
    }
    const BaaS = require(`${pkg}/lib/web.js`)
    pointAt(BaaS, host)
    BaaS.init(clientId, { host })
    return BaaS
  }
  if (platform === 'wechat') {
    global.window = global
    // The mini-program base library provides the async runtime newer builds use.
    global.regeneratorRuntime = require('regenerator-runtime')
    global.wx = wechatGlobal(host)
    global.getApp = () => ({})
    global.getCurrentPages = () => []
    const exported = require(`${pkg}/lib/index.js`)
    const BaaS = global.wx.BaaS || exported
    pointAt(BaaS, host)
    BaaS.init(clientId, { host, autoLogin: false, logLevel: 'error' })
    return BaaS
  }
  throw new Error(`no environment for platform ${platform}`)
}

module.exports = { loadBuild }
