// What a Forecaster stores beside its network in an ONNX graph's metadata_props (exportOnnx,
// powerlaw-lstm/onnx): the fields of its model file's forecaster metadata (file-format.ts),
// one JSON string each under `forecaster.<field>`, and the names of the graph input's last axis.
// The graph runs the network only: building its input x from a series and mapping its output y
// back to the series' units stay with the Forecaster (features.ts, windowed.ts, stateful.ts).

import type { SavedForecaster } from './file-format.js';

/** Prefix of every key. */
export const ONNX_METADATA_PREFIX = 'forecaster.';

/**
 * metadata_props of a forecaster: `forecaster.settings`, `.scalers`, `.covariates`,
 * `.covariateScalers`, `.calendar`, `.log`, `.trainEnds`, `.info` (each the JSON of that field
 * of the model file), and `forecaster.features`: the names of x's features in order ('value',
 * then the past covariates, then the calendar features). Live states (stateful mode) are left
 * out: the graph starts every sequence from a zero state.
 */
export function forecasterOnnxMetadata(saved: Omit<SavedForecaster, 'live'>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(saved)) if (k !== 'live' && v !== undefined) out[`${ONNX_METADATA_PREFIX}${k}`] = JSON.stringify(v);
  out[`${ONNX_METADATA_PREFIX}features`] = JSON.stringify(['value', ...(saved.covariates ?? []), ...saved.calendar]);
  return out;
}
