// The analysis of one checkpoint, start to end, and its pictures as files: each plot as SVG
// (vega) and PNG (resvg), ready for writeFilesAtomic. Shared by plstm analyze and plstm report.
import { join } from 'node:path';
import { renderSvg } from '../plot/render.js';
import { svgToPng } from '../plot/png.js';
import { reportData, type ReportData } from '../analysis/report-data.js';
import { reportPlots, type NamedPlot } from '../analysis/report-plots.js';
import { openAnalysisSource, type SourceOptions } from './analysis-source.js';

/** A rendered picture. */
export interface RenderedPlot extends NamedPlot {
  svg: string;
  png: Uint8Array;
}

/** One checkpoint analysed: its numbers, its pictures and what it was. */
export interface CheckpointAnalysis {
  checkpoint: string;
  describe: string;
  task: string;
  /** The task's primary metric. */
  primary: string;
  meta: Record<string, unknown>;
  data: ReportData;
  plots: RenderedPlot[];
}

/** Renders every plot to SVG and PNG. */
export async function renderPlots(plots: NamedPlot[]): Promise<RenderedPlot[]> {
  const out: RenderedPlot[] = [];
  for (const p of plots) {
    const svg = await renderSvg(p.spec);
    out.push({ ...p, svg, png: svgToPng(svg) });
  }
  return out;
}

/** Opens, measures and draws one checkpoint (nothing is written). */
export async function analyzeCheckpoint(file: string, opts: SourceOptions & { label?: string } = {}): Promise<CheckpointAnalysis> {
  const src = openAnalysisSource(file, opts);
  try {
    const data = reportData(src.exact, src.x, src.B, src.T, src.options);
    const plots = await renderPlots(reportPlots(data, opts.label ?? data.cell));
    return { checkpoint: file, describe: src.describe, task: src.task, primary: src.primary, meta: src.meta, data, plots };
  } finally {
    src.dispose();
  }
}

/** The SVG and PNG files of rendered plots in a folder, names prefixed. */
export function plotFiles(plots: RenderedPlot[], dir: string, prefix = ''): { path: string; data: string | Uint8Array }[] {
  return plots.flatMap((p) => [
    { path: join(dir, `${prefix}${p.name}.svg`), data: p.svg },
    { path: join(dir, `${prefix}${p.name}.png`), data: p.png },
  ]);
}
