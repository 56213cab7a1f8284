// Gate heatmaps drawn straight onto a canvas (units down, steps across, viridis colours),
// with the value range beside them. Vega redrew one such heatmap in 50 to 190 ms of the
// page's main thread on a busy 2-core machine, for 8 of them every few hundred ms; a canvas
// of coloured rectangles takes a few ms.
import { scheme } from 'vega';
import type { Drawable } from './live-chart.js';
import type { GateGrid } from './protocol.js';

/** Heatmap cells at most: units beyond MAX_ROWS are left out, steps are strided beyond MAX_COLS. */
export const MAX_ROWS = 32;
export const MAX_COLS = 120;
const COLORS = 64;

let palette: string[] | null = null;
function viridis(): string[] {
  if (palette === null) {
    const interpolate = scheme('viridis') as (t: number) => string;
    palette = Array.from({ length: COLORS }, (_, i) => interpolate(i / (COLORS - 1)));
  }
  return palette;
}

/** The grid cut to at most MAX_ROWS units and MAX_COLS (strided) steps, and what was cut. */
export function cutGrid(grid: GateGrid): { rows: number; cols: number; stride: number; values: number[]; note: string } {
  const rows = Math.min(grid.rows, MAX_ROWS);
  const stride = Math.max(1, Math.ceil(grid.cols / MAX_COLS));
  const cols = Math.ceil(grid.cols / stride);
  const values = new Array<number>(rows * cols); // [rows, cols]
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) values[r * cols + c] = grid.values[r * grid.cols + c * stride];
  const note = [rows < grid.rows ? `units 0-${rows - 1} of ${grid.rows}` : '', stride > 1 ? `every ${stride}th step` : '']
    .filter(Boolean).join(', ');
  return { rows, cols, stride, values, note };
}

/** One gate's heatmap in a canvas of width x height pixels (the cells' area). */
export class HeatmapCanvas implements Drawable<GateGrid> {
  drawn = 0;
  builds = 0;
  longestDrawMs = 0;
  private readonly title = document.createElement('div');
  private readonly canvas = document.createElement('canvas');
  private readonly range = document.createElement('div');

  constructor(readonly element: HTMLElement, private readonly width = 300, private readonly height = 160) {
    this.title.className = 'heatmap-title';
    this.range.className = 'heatmap-range';
    this.canvas.width = width;
    this.canvas.height = height;
    this.canvas.setAttribute('aria-label', 'gate heatmap: units down, steps across');
    element.replaceChildren(this.title, this.canvas, this.range);
    this.builds = 1;
  }

  async draw(grid: GateGrid): Promise<void> {
    const t0 = performance.now();
    const { rows, cols, values, note } = cutGrid(grid);
    let lo = Infinity, hi = -Infinity;
    for (const v of values) if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    const span = hi > lo ? hi - lo : 1;
    const colors = viridis();
    const ctx = this.canvas.getContext('2d')!;
    ctx.clearRect(0, 0, this.width, this.height);
    const cw = this.width / cols, rh = this.height / rows;
    let n = 0;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const v = values[r * cols + c];
        if (!Number.isFinite(v)) continue;
        ctx.fillStyle = colors[Math.min(COLORS - 1, Math.floor(((v - lo) / span) * COLORS))];
        // +0.5: no hairline gaps between neighbouring cells
        ctx.fillRect(Math.floor(c * cw), Math.floor(r * rh), Math.ceil(cw) + 0.5, Math.ceil(rh) + 0.5);
        n += 1;
      }
    }
    this.title.textContent = note ? `${grid.name} (${note})` : grid.name;
    this.range.textContent = n > 0 ? `steps 0-${grid.cols - 1} across, units down; ${fmt(lo)} (dark) to ${fmt(hi)} (yellow)` : 'no finite values';
    this.drawn = n;
    this.longestDrawMs = Math.max(this.longestDrawMs, performance.now() - t0);
  }

  dispose(): void {
    this.drawn = 0;
    this.element.replaceChildren();
  }
}

const fmt = (v: number): string => (Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : String(+v.toPrecision(3)));
