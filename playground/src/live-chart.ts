// Charts that update in place. A chart is a Vega-Lite spec from the project's spec builders
// (src/plot); its inline data sets become named Vega data sets, so a new spec of the same
// shape only swaps data (no recompiling, no new canvas) and a different shape (a new line, a
// new title) rebuilds that one view. A board draws at most one chart per event-loop task and
// each chart at most every few hundred ms, so drawing never blocks the page for long.
import * as vega from 'vega';
import { compile } from 'vega-lite';
import type { plot } from 'powerlaw-lstm';
type VegaLiteSpec = plot.VegaLiteSpec;

/** A spec with every inline `data: { values }` replaced by a named data set. */
interface SplitSpec {
  skeleton: VegaLiteSpec;
  datasets: Map<string, unknown[]>;
}

function splitData(spec: VegaLiteSpec): SplitSpec {
  const datasets = new Map<string, unknown[]>();
  const replace = (node: Record<string, unknown>): Record<string, unknown> => {
    const out: Record<string, unknown> = { ...node };
    const data = node.data as { values?: unknown[] } | undefined;
    if (data && Array.isArray(data.values)) {
      const name = `data${datasets.size}`;
      datasets.set(name, data.values);
      out.data = { name };
    }
    if (Array.isArray(node.layer)) out.layer = (node.layer as Record<string, unknown>[]).map(replace);
    return out;
  };
  return { skeleton: replace(spec), datasets };
}

/** Something the board draws into an element: a Vega-Lite chart or a canvas heatmap. */
export interface Drawable<T> {
  readonly element: HTMLElement;
  /** Data points drawn by the last completed draw. */
  readonly drawn: number;
  readonly builds: number;
  readonly longestDrawMs: number;
  draw(input: T): Promise<void>;
  dispose(): void;
}

/** One Vega-Lite chart in one container element. */
export class LiveChart implements Drawable<VegaLiteSpec> {
  private view: vega.View | null = null;
  private shape = '';
  /** Data points drawn by the last completed update. */
  drawn = 0;
  /** Views built (1 + rebuilds after a change of shape) and the longest draw (ms). */
  builds = 0;
  longestDrawMs = 0;

  constructor(readonly element: HTMLElement) {}

  /** Draws `spec`: swaps the data when only the data changed, else rebuilds the view. */
  async draw(spec: VegaLiteSpec): Promise<void> {
    const t0 = performance.now();
    const { skeleton, datasets } = splitData(spec);
    const shape = JSON.stringify(skeleton);
    if (this.view === null || shape !== this.shape) {
      this.view?.finalize();
      this.element.replaceChildren();
      const compiled = compile(skeleton as unknown as Parameters<typeof compile>[0]).spec;
      this.view = new vega.View(vega.parse(compiled), { renderer: 'canvas', container: this.element, hover: false });
      this.shape = shape;
      this.builds += 1;
    }
    for (const [name, values] of datasets) this.view.data(name, values as object[]);
    await this.view.runAsync();
    let n = 0;
    for (const values of datasets.values()) n += values.length;
    this.drawn = n;
    this.longestDrawMs = Math.max(this.longestDrawMs, performance.now() - t0);
  }

  dispose(): void {
    this.view?.finalize();
    this.view = null;
    this.shape = '';
    this.drawn = 0;
    this.element.replaceChildren();
  }
}

interface Entry {
  chart: Drawable<unknown>;
  /** What to draw next (built only when it is drawn); null when up to date. */
  pending: (() => unknown) | null;
  lastDrawnAt: number;
}

/** The page's charts by id, drawn one per task in the order they became out of date. */
export class ChartBoard {
  private readonly entries = new Map<string, Entry>();
  private pumping = false;
  /** A chart that failed to draw: (id, error), for the page's problem line. */
  onError: (id: string, err: unknown) => void = () => {};

  /** `minIntervalMs`: the least time between two draws of one chart. */
  constructor(private readonly minIntervalMs = 400) {}

  /** Asks for chart `id` to show the spec `build()` soon; a later request for the same id replaces this one. */
  request(id: string, element: HTMLElement, build: () => VegaLiteSpec): void {
    this.requestDraw(id, element, (el) => new LiveChart(el), build);
  }

  /** The same for any Drawable, made by `make` the first time. */
  requestDraw<T>(id: string, element: HTMLElement, make: (el: HTMLElement) => Drawable<T>, build: () => T): void {
    let entry = this.entries.get(id);
    if (entry === undefined || entry.chart.element !== element) {
      entry?.chart.dispose();
      entry = { chart: make(element) as Drawable<unknown>, pending: null, lastDrawnAt: 0 };
      this.entries.set(id, entry);
    }
    entry.pending = build;
    this.pump();
  }

  /** Removes a chart (its panel is gone or hidden). */
  remove(id: string): void {
    this.entries.get(id)?.chart.dispose();
    this.entries.delete(id);
  }

  /** Removes every chart whose id starts with prefix. */
  removePrefix(prefix: string): void {
    for (const id of [...this.entries.keys()]) if (id.startsWith(prefix)) this.remove(id);
  }

  /** Views built and the longest draw (ms) of each chart, by id. */
  drawStats(): Record<string, { builds: number; longestDrawMs: number }> {
    const out: Record<string, { builds: number; longestDrawMs: number }> = {};
    for (const [id, e] of this.entries) out[id] = { builds: e.chart.builds, longestDrawMs: Math.round(e.chart.longestDrawMs) };
    return out;
  }

  /** Data points each chart has drawn, by id. */
  drawnCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [id, e] of this.entries) out[id] = e.chart.drawn;
    return out;
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    setTimeout(() => void this.drawNext(), 0);
  }

  private async drawNext(): Promise<void> {
    const now = performance.now();
    let next: [string, Entry] | null = null;
    let wait = Infinity;
    for (const item of this.entries) {
      const e = item[1];
      if (e.pending === null) continue;
      const due = e.lastDrawnAt + this.minIntervalMs;
      if (due <= now && (next === null || e.lastDrawnAt < next[1].lastDrawnAt)) next = item;
      else wait = Math.min(wait, due - now);
    }
    if (next === null) {
      this.pumping = false;
      if (wait < Infinity) { this.pumping = true; setTimeout(() => void this.drawNext(), wait); }
      return;
    }
    const [id, entry] = next;
    const build = entry.pending!;
    entry.pending = null;
    entry.lastDrawnAt = now;
    try {
      await entry.chart.draw(build());
    } catch (err) {
      this.onError(id, err);
    }
    // the next chart in a task of its own: the page handles input in between
    setTimeout(() => void this.drawNext(), 0);
  }
}
