// A small rendering helper: h() builds HTML elements, s() builds SVG ones.
//
//   h('button', { type: 'button', class: 'btn', onclick: save }, t('save'))
//
// Props: `class` (string or array, falsy entries skipped), `for`, `on<event>`
// handlers, `dataset` (object), boolean properties (`disabled`, `checked`,
// `hidden`, `required`, `readOnly`, `selected`, `open`, `multiple`), `value`
// (set as a property), everything else as an attribute (null/false skip it,
// true sets it empty). Children: nodes, strings, numbers, arrays, or nullish
// values (skipped). There is deliberately no `style` prop: the console's
// Content-Security-Policy forbids inline style attributes, so looks come from
// classes in style.css.

const SVG_NS = 'http://www.w3.org/2000/svg'
const PROPS = new Set(['disabled', 'checked', 'hidden', 'required', 'readOnly', 'selected', 'open', 'multiple', 'value', 'indeterminate'])

function apply(el, props) {
  if (!props) return
  for (const [key, val] of Object.entries(props)) {
    if (val === undefined || val === null || val === false && !PROPS.has(key)) continue
    if (key === 'class') {
      const cls = Array.isArray(val) ? val.filter(Boolean).join(' ') : val
      if (cls) el.setAttribute('class', cls)
    } else if (key === 'for') {
      el.setAttribute('for', val)
    } else if (key === 'dataset') {
      for (const [k, v] of Object.entries(val)) if (v != null) el.dataset[k] = v
    } else if (key.startsWith('on') && typeof val === 'function') {
      el.addEventListener(key.slice(2), val)
    } else if (key === 'style') {
      throw new Error('inline styles are not allowed by the CSP; use a class')
    } else if (PROPS.has(key)) {
      el[key] = val
    } else {
      el.setAttribute(key, val === true ? '' : String(val))
    }
  }
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false || child === true) continue
    if (Array.isArray(child)) append(el, child)
    else if (child instanceof Node) el.appendChild(child)
    else el.appendChild(document.createTextNode(String(child)))
  }
}

/** An HTML element. */
export function h(tag, props, ...children) {
  const el = document.createElement(tag)
  apply(el, props)
  append(el, children)
  return el
}

/** An SVG element. */
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag)
  if (attrs) {
    for (const [key, val] of Object.entries(attrs)) {
      if (val === undefined || val === null || val === false) continue
      if (key.startsWith('on') && typeof val === 'function') el.addEventListener(key.slice(2), val)
      else el.setAttribute(key, String(val))
    }
  }
  append(el, children)
  return el
}

/** Replaces the children of `el`. */
export function mount(el, ...children) {
  el.replaceChildren()
  append(el, children)
  return el
}

let counter = 0
/** A document-unique id with a readable prefix. */
export function uid(prefix = 'id') {
  counter += 1
  return `${prefix}-${counter}`
}

/** Calls `fn` once `ms` have passed without another call. */
export function debounce(fn, ms) {
  let timer = null
  return (...args) => {
    clearTimeout(timer)
    timer = setTimeout(() => fn(...args), ms)
  }
}
