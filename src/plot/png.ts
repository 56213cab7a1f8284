// SVG -> PNG with resvg (a Rust renderer whose binary ships inside its npm package). Node only:
// reach it through the Node entry, never from browser-safe modules.

import { Resvg } from '@resvg/resvg-js';

/** Options of svgToPng. */
export interface PngOptions {
  /** Width of the PNG in pixels; the height follows the SVG's aspect ratio. Default: the SVG's own width. */
  width?: number;
}

/** The PNG bytes of an SVG picture. */
export function svgToPng(svg: string, opts: PngOptions = {}): Uint8Array {
  const resvg = new Resvg(svg, {
    fitTo: opts.width === undefined ? { mode: 'original' } : { mode: 'width', value: opts.width },
    font: { loadSystemFonts: true },
  });
  return resvg.render().asPng();
}
