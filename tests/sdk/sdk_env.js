// Loads minapp-sdk's web build under Node (HYDROGEN-API.md §7): an in-memory
// window.localStorage, xhr2 as XMLHttpRequest, and BaaS.init against the server
// given as the first command-line argument (platform_env.js does the work).
'use strict'

const { loadBuild } = require('./platform_env.js')

/** Returns the initialised SDK; `script` and `clientId` name the caller. */
function loadSdk(script, clientId) {
  const host = process.argv[2]
  if (!host) {
    console.error(`usage: node ${script} http://127.0.0.1:PORT`)
    process.exit(2)
  }
  return loadBuild('minapp-sdk', 'web', host, clientId)
}

module.exports = { loadSdk }
