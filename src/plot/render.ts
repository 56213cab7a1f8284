// Vega-Lite spec -> SVG text, headless (no browser, no canvas): vega-lite compiles the spec to
// Vega, vega renders it with its SVG string renderer. Works in Node and in browsers; vega is
// loaded on first use so importing the plot module costs nothing until a picture is drawn.

import type { VegaLiteSpec } from './specs.js';

/** The SVG text of a Vega-Lite spec. */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const compiled = vegaLite.compile(spec as unknown as Parameters<typeof vegaLite.compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
