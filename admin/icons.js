// The console's icons: simple shapes on a 20×20 grid, drawn with strokes in
// the current text colour. Decorative: hidden from assistive technology.

import { s } from './dom.js'

const SHAPES = {
  // Four tiles.
  overview: [['rect', { x: 3, y: 3, width: 6, height: 6, rx: 1.5 }], ['rect', { x: 11, y: 3, width: 6, height: 6, rx: 1.5 }], ['rect', { x: 3, y: 11, width: 6, height: 6, rx: 1.5 }], ['rect', { x: 11, y: 11, width: 6, height: 6, rx: 1.5 }]],
  // A head and shoulders.
  users: [['circle', { cx: 10, cy: 7, r: 3.2 }], ['path', { d: 'M4 17c.8-3.2 3.2-5 6-5s5.2 1.8 6 5' }]],
  // A grid with a header row.
  tables: [['rect', { x: 3, y: 4, width: 14, height: 12, rx: 1.5 }], ['path', { d: 'M3 8h14M3 12h14M8 8v8' }]],
  // Curly braces.
  schema: [['path', { d: 'M7.5 3.5c-2 0-2.5 1-2.5 2.5v1.5c0 1.2-.6 2-1.8 2.5 1.2.5 1.8 1.3 1.8 2.5V14c0 1.5.5 2.5 2.5 2.5M12.5 3.5c2 0 2.5 1 2.5 2.5v1.5c0 1.2.6 2 1.8 2.5-1.2.5-1.8 1.3-1.8 2.5V14c0 1.5-.5 2.5-2.5 2.5' }]],
  // A list with bullets.
  audit: [['path', { d: 'M8 5.5h9M8 10h9M8 14.5h9' }], ['circle', { cx: 4.5, cy: 5.5, r: 1 }], ['circle', { cx: 4.5, cy: 10, r: 1 }], ['circle', { cx: 4.5, cy: 14.5, r: 1 }]],
  // A key: ring and bit.
  keys: [['circle', { cx: 6.5, cy: 10, r: 3.5 }], ['path', { d: 'M10 10h7.5M15 10v3M17.5 10v2' }]],
  // A sheet with a folded corner.
  files: [['path', { d: 'M5 3h6.5L15 6.5V17H5z' }], ['path', { d: 'M11.5 3v3.5H15' }]],
  file: [['path', { d: 'M5 3h6.5L15 6.5V17H5z' }], ['path', { d: 'M11.5 3v3.5H15M7.5 10.5h5M7.5 13.5h5' }]],
  external: [['path', { d: 'M11 4h5v5M16 4l-7 7M14 12v4H4V6h4' }]],
  signout: [['path', { d: 'M8 4H4.5v12H8M12 6.5 15.5 10 12 13.5M15.5 10H7.5' }]],
  plus: [['path', { d: 'M10 4.5v11M4.5 10h11' }]],
  check: [['path', { d: 'M4.5 10.5 8.3 14 15.5 6.5' }]],
  alert: [['circle', { cx: 10, cy: 10, r: 7 }], ['path', { d: 'M10 6.3v4.6M10 13.4v.3' }]],
  info: [['circle', { cx: 10, cy: 10, r: 7 }], ['path', { d: 'M10 9.2v4.6M10 6.3v.3' }]],
  copy: [['rect', { x: 7, y: 7, width: 9, height: 9, rx: 1.5 }], ['path', { d: 'M13 4.5H5.5A1 1 0 0 0 4.5 5.5V13' }]],
  trash: [['path', { d: 'M4 6h12M8 6V4.5h4V6M5.8 6l.7 9.5h7l.7-9.5' }]],
  reload: [['path', { d: 'M15.5 8A6 6 0 1 0 16 11.5M15.8 4v4h-4' }]],
  search: [['circle', { cx: 8.8, cy: 8.8, r: 4.8 }], ['path', { d: 'M12.4 12.4 16.5 16.5' }]],
  filter: [['path', { d: 'M3.5 5h13l-5 6v4.5l-3-1.5v-3z' }]],
  close: [['path', { d: 'M5.5 5.5l9 9M14.5 5.5l-9 9' }]],
  left: [['path', { d: 'M12 4.5 6.5 10l5.5 5.5' }]],
  right: [['path', { d: 'M8 4.5l5.5 5.5L8 15.5' }]],
  lock: [['rect', { x: 4.5, y: 9, width: 11, height: 8, rx: 1.5 }], ['path', { d: 'M7 9V6.5a3 3 0 0 1 6 0V9' }]],
  unlock: [['rect', { x: 4.5, y: 9, width: 11, height: 8, rx: 1.5 }], ['path', { d: 'M7 9V6.5a3 3 0 0 1 5.8-1' }]],
  mail: [['rect', { x: 3, y: 5, width: 14, height: 10, rx: 1.5 }], ['path', { d: 'M3.5 5.8 10 10.8l6.5-5' }]],
  globe: [['circle', { cx: 10, cy: 10, r: 7 }], ['path', { d: 'M3 10h14M10 3c2 2 3 4.3 3 7s-1 5-3 7c-2-2-3-4.3-3-7s1-5 3-7z' }]],
  save: [['path', { d: 'M4.5 4.5h9l2 2v9h-11z M7 4.5v4h6v-4M7 15.5v-4h6v4' }]],
  edit: [['path', { d: 'M4.5 15.5l.7-3.2 8-8 2.5 2.5-8 8z' }]],
}

/** An inline SVG icon by name. */
export function icon(name, cls) {
  const shapes = SHAPES[name] || SHAPES.info
  return s('svg', { class: ['icon', cls].filter(Boolean).join(' '), viewBox: '0 0 20 20', width: 18, height: 18, 'aria-hidden': 'true', focusable: 'false' },
    shapes.map(([tag, attrs]) => s(tag, attrs)))
}

/** The Protium mark: a hexagon with a dot (one proton). */
export function logo() {
  return s('svg', { class: 'logo', viewBox: '0 0 32 32', width: 28, height: 28, 'aria-hidden': 'true', focusable: 'false' },
    s('path', { class: 'logo-hex', d: 'M16 2.5 27.7 9.25v13.5L16 29.5 4.3 22.75V9.25z' }),
    s('circle', { class: 'logo-dot', cx: 16, cy: 16, r: 4.5 }))
}
