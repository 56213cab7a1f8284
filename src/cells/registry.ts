// The cell registry: kind -> descriptor, with the built-in pLSTM and LSTM. It sits above the
// cells (each cell file defines its own descriptor), so the cells never look themselves up.
// The set of cells is closed: registerCell is deprecated (see its comment); the descriptors
// stay as the one table of what the reference backend, traces and checks need of a cell.
import { ConfigError } from '../errors.js';
import type { CellDescriptor } from './descriptor.js';
import type { CellConfig, CellKind, CellState, CellWeights } from './types.js';
import { PLSTM_CELL } from './plstm.js';
import { LSTM_CELL } from './lstm.js';
import { checkCellConfig, checkCellState, checkCellWeights } from './validate.js';
import { deprecated } from '../deprecated.js';

const registry = new Map<string, CellDescriptor>([[PLSTM_CELL.kind, PLSTM_CELL], [LSTM_CELL.kind, LSTM_CELL]]);

/**
 * Makes a cell available to layers by its kind (the reference backend runs it; the wasm
 * kernels know only 'plstm' and 'lstm'). Registering a kind twice is an error, except the
 * same descriptor again.
 *
 * @deprecated Goes in the next release: the package supports the pLSTM and the LSTM. A
 * registered cell runs on the reference backend only and cannot take settings of its own,
 * while the model, the forecaster, the TF.js layers and the CLI know the settings of the two
 * built-in cells; warns once.
 */
export function registerCell(d: CellDescriptor): void {
  deprecated('registerCell', 'the cells "plstm" and "lstm" (the only ones the package supports)');
  const known = registry.get(d.kind);
  if (known !== undefined && known !== d) throw new ConfigError(`a cell named ${JSON.stringify(d.kind)} is already registered`);
  if (!(Array.isArray(d.gates) && d.gates.length > 0)) throw new ConfigError(`cell ${JSON.stringify(d.kind)} needs at least one gate`);
  registry.set(d.kind, d);
}

/** The descriptor of a registered cell; ConfigError for an unknown kind. */
export function cellDescriptor(kind: string): CellDescriptor {
  const d = registry.get(kind);
  if (d === undefined) {
    throw new ConfigError(`unknown cell kind ${JSON.stringify(kind)}: use ${[...registry.keys()].map((k) => JSON.stringify(k)).join(', ')}`);
  }
  return d;
}

/** Whether a cell kind is registered. */
export function isRegisteredCell(kind: string): boolean {
  return registry.has(kind);
}

/** Number of gate rows per hidden unit (G). */
export function gatesOf(kind: CellKind): number {
  return cellDescriptor(kind).gates.length;
}

/** Throws ConfigError when a cell setting is outside what it can be (or the kind is unknown). */
export function checkConfig(cfg: CellConfig): void {
  checkCellConfig(cellDescriptor(cfg.kind), cfg);
}

/** Throws ShapeError when a weight buffer does not match the config. */
export function checkWeights(cfg: CellConfig, w: CellWeights): void {
  checkCellWeights(cellDescriptor(cfg.kind), cfg, w);
}

/** Throws ShapeError when a state (initial state or gradient of the final state) has the wrong sizes. */
export function checkState(cfg: CellConfig, s: Partial<CellState>, B: number, what: string, allowMissing: boolean): void {
  checkCellState(cellDescriptor(cfg.kind), cfg, s, B, what, allowMissing);
}
