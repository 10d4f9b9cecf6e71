// The admin API client: JSON over fetch with the session's bearer token.
// A 401 on any call but sign-in means the session ended: the listeners given to
// onExpired() send the admin back to the sign-in page with a message.

const STORE = 'protium.console.session'

/** The signed-in admin: the token and the email, kept in localStorage. */
export const session = {
  token: null,
  email: null,
  load() {
    try {
      const saved = JSON.parse(localStorage.getItem(STORE) || 'null')
      if (saved && typeof saved.token === 'string') {
        this.token = saved.token
        this.email = saved.email || null
      }
    } catch {
      localStorage.removeItem(STORE)
    }
    return this
  },
  save(token, email) {
    this.token = token
    this.email = email
    localStorage.setItem(STORE, JSON.stringify({ token, email }))
  },
  clear() {
    this.token = null
    this.email = null
    localStorage.removeItem(STORE)
  },
}

/** An error answer: the HTTP status, the message, and the field it names. */
export class ApiError extends Error {
  constructor(status, body) {
    const msg = (body && (body.error_msg || body.message)) || (status ? `HTTP ${status}` : 'network error')
    super(msg)
    this.status = status
    this.body = body
    // Messages start with the field they are about: "nickname: is longer than …".
    const m = /^([A-Za-z_$][\w$.]*): ?(.*)$/s.exec(msg)
    this.field = m ? m[1] : null
    this.detail = m ? m[2] : msg
  }
}

const expiredListeners = []
/** Calls `fn` when a request is refused with a 401. */
export function onExpired(fn) {
  expiredListeners.push(fn)
}

function url(path, query) {
  const u = new URL(`api/${path}`, document.baseURI)
  if (query) {
    for (const [k, v] of Object.entries(query)) {
      if (v !== undefined && v !== null && v !== '') u.searchParams.set(k, typeof v === 'object' ? JSON.stringify(v) : String(v))
    }
  }
  return u
}

/**
 * Calls the admin API: `api('GET', 'users/', { query: { limit: 20 } })`.
 * Resolves with the decoded body (null for 204), rejects with an ApiError.
 */
export async function api(method, path, { body, query, signIn = false } = {}) {
  const headers = { Accept: 'application/json' }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  if (session.token && !signIn) headers.Authorization = `Bearer ${session.token}`
  let res
  try {
    res = await fetch(url(path, query), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
    })
  } catch {
    throw new ApiError(0, null)
  }
  const text = res.status === 204 ? '' : await res.text()
  let data = null
  if (text) {
    try {
      data = JSON.parse(text)
    } catch {
      data = { error_msg: text.slice(0, 200) }
    }
  }
  if (res.status === 401 && !signIn) {
    const err = new ApiError(401, data)
    err.expired = true
    for (const fn of expiredListeners) fn(err)
    throw err
  }
  if (!res.ok) throw new ApiError(res.status, data)
  return data
}

/** Shorthands. */
export const get = (path, query) => api('GET', path, { query })
export const post = (path, body) => api('POST', path, { body: body ?? {} })
export const patch = (path, body) => api('PATCH', path, { body })
export const del = (path) => api('DELETE', path)
