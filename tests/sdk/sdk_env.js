// Loads minapp-sdk's web build under Node (HYDROGEN-API.md §7): an in-memory
// window.localStorage, xhr2 as XMLHttpRequest, and BaaS.init against the server
// given as the first command-line argument.
'use strict'

/** Returns the initialised SDK; `script` and `clientId` name the caller. */
function loadSdk(script, clientId) {
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
  global.XMLHttpRequest = require('xhr2')
  const BaaS = require('minapp-sdk/lib/web.js')
  const host = process.argv[2]
  if (!host) {
    console.error(`usage: node ${script} http://127.0.0.1:PORT`)
    process.exit(2)
  }
  BaaS.init(clientId, { host })
  return BaaS
}

module.exports = { loadSdk }
