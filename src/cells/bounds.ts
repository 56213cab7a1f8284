// The bounds of the cell settings, each written once. The cells, the model config and the
// training options (the CLI flags) all check a setting with these functions, so a value that
// passes one check passes them all, and every message says the same bound.
//
// Each check returns null when the value is fine, or the phrase that says what it must be
// ("must be a number in (0, 1)"); `requireSetting` puts the caller's own name for the
// setting in front (`--eps`, `layers[0].eps`, `pLSTM eps`) and throws a ConfigError.
import { ConfigError } from '../errors.js';

/** A check of one setting: null when fine, else what the value must be. */
export type SettingCheck = (v: unknown) => string | null;

/** A positive integer (sizes, counts, epochs). */
export function isPositiveInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** H, I and the like: a positive integer. */
export const checkPositiveInt: SettingCheck = (v) => isPositiveInt(v) ? null : 'must be a positive integer';

/**
 * pLSTM eps: in (0, 1). At eps >= 1 the forget gate ((a + eps) / (a + 1))^p is >= 1: the cell
 * would never forget (or grow without bound) and the reset would not reset.
 */
export const checkEps: SettingCheck = (v) => isFiniteNumber(v) && v > 0 && v < 1 ? null : 'must be a number in (0, 1)';

/** A fixed pLSTM exponent p: in (0, 1] (p = 0 would never forget; p > 1 is not a sigmoid value). */
export const checkFixedP: SettingCheck = (v) => isFiniteNumber(v) && v > 0 && v <= 1 ? null : 'must be in (0, 1]';

/** The range [lo, hi] that theta is drawn from (p init 'range'). */
export function checkThetaRange(lo: unknown, hi: unknown): string | null {
  return isFiniteNumber(lo) && isFiniteNumber(hi) && lo <= hi ? null : 'must be two finite numbers lo, hi with lo <= hi';
}

/** A bias offset such as the LSTM forget bias: any finite number. */
export const checkFinite: SettingCheck = (v) => isFiniteNumber(v) ? null : 'must be a finite number';

/**
 * Tmax of the LSTM chrono init: > 2, since the forget bias is log(U(1, Tmax - 1)) and that
 * interval must not be empty.
 */
export const checkChrono: SettingCheck = (v) => isFiniteNumber(v) && v > 2 ? null : '(Tmax) must be a number > 2';

/** A dropout rate: in [0, 1) (a rate of 1 would drop every output). */
export const checkDropout: SettingCheck = (v) => isFiniteNumber(v) && v >= 0 && v < 1 ? null : 'must be a rate in [0, 1)';

/** Throws ConfigError "NAME must be ..., got VALUE" when the check fails. */
export function requireSetting(name: string, value: unknown, check: SettingCheck): void {
  const problem = check(value);
  if (problem !== null) throw new ConfigError(`${name} ${problem}, got ${String(value)}`);
}
