// <pc-bar-chart>: a bar chart drawn as SVG. Give it `data` ([{label, value,
// title}]) and `label` (what it shows, for assistive technology); it scales
// the y axis to a round maximum, labels a few days, and names each bar in a
// <title> (shown on hover).

import { s } from './dom.js'

const W = 720
const H = 170
const PAD = { top: 14, right: 8, bottom: 28, left: 34 }

/** A y scale for counts: a round step (1, 2, 5 × 10^k, at most 5 of them) and the top. */
function scale(n) {
  const most = Math.max(n, 4)
  const raw = most / 5
  const p = 10 ** Math.floor(Math.log10(raw))
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * p).find((x) => x >= raw))
  const top = Math.ceil(most / step) * step
  const ticks = []
  for (let v = 0; v <= top; v += step) ticks.push(v)
  return { top, ticks }
}

export class BarChart extends HTMLElement {
  constructor() {
    super()
    this._data = []
    this._label = ''
  }

  set data(rows) {
    this._data = Array.isArray(rows) ? rows : []
    this.render()
  }

  get data() {
    return this._data
  }

  set label(text) {
    this._label = text
    this.render()
  }

  connectedCallback() {
    this.render()
  }

  render() {
    const rows = this._data
    const { top: max, ticks } = scale(Math.max(0, ...rows.map((r) => r.value)))
    const plotW = W - PAD.left - PAD.right
    const plotH = H - PAD.top - PAD.bottom
    const slot = rows.length ? plotW / rows.length : plotW
    const barW = Math.max(2, slot * 0.64)
    const y = (v) => PAD.top + plotH - (v / max) * plotH

    const grid = ticks.map((v) => s('g', { class: 'chart-tick' },
      s('line', { x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v) }),
      s('text', { x: PAD.left - 6, y: y(v) + 4, 'text-anchor': 'end' }, v)))

    const bars = rows.map((r, i) => {
      const x = PAD.left + i * slot + (slot - barW) / 2
      const height = r.value > 0 ? Math.max(2, (r.value / max) * plotH) : 2
      return s('g', { class: 'chart-bar' },
        s('title', null, r.title || `${r.label}: ${r.value}`),
        // A full-height hit area so hovering an empty day still names it.
        s('rect', { class: 'chart-hit', x: PAD.left + i * slot, y: PAD.top, width: slot, height: plotH }),
        s('rect', { class: r.value > 0 ? 'chart-fill' : 'chart-zero', x, y: y(0) - height, width: barW, height, rx: Math.min(3, barW / 3) }))
    })

    // Label every seventh day counting back from the last one.
    const labels = rows.map((r, i) => {
      const fromEnd = rows.length - 1 - i
      if (fromEnd % 7 !== 0) return null
      const x = PAD.left + i * slot + slot / 2
      return s('text', { class: 'chart-label', x, y: H - 8, 'text-anchor': fromEnd === 0 ? 'end' : 'middle' }, r.label)
    })

    const svg = s('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': this._label, preserveAspectRatio: 'xMidYMid meet' },
      s('g', { class: 'chart-grid' }, grid),
      s('g', null, bars),
      s('g', null, labels))
    this.replaceChildren(svg)
  }
}

if (!customElements.get('pc-bar-chart')) customElements.define('pc-bar-chart', BarChart)
