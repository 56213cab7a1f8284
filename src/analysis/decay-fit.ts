// Which family a decay curve follows: an exponential y = A exp(-rate n) (the LSTM's memory)
// or a power law y = A n^(-exponent) (the pLSTM's). Both are fitted on the same terms, so the
// comparison is fair: two parameters each, least squares on log y over the same points
// (n >= 1, y > 0), the better family being the one with the smaller residual sum of squares.
// Least squares on log y weighs every point's relative error alike, which is what a decay
// spanning several decades needs (on y itself the first few points would decide everything).

export interface FamilyFit {
  /** A: the curve's value at n = 0 (exponential) or n = 1 (power law). */
  amplitude: number;
  /** The exponential's rate (per step) or the power law's exponent. */
  parameter: number;
  /** Residual sum of squares of log y. */
  rss: number;
}

export interface DecayFit {
  exponential: FamilyFit;
  powerLaw: FamilyFit;
  /** The family with the smaller residual. */
  better: 'exponential' | 'power-law';
  /** Points used (n >= 1, y > 0 and finite). */
  points: number;
}

/** Least squares line v = a + b u; returns a, b and the residual sum of squares. */
function line(u: number[], v: number[]): { a: number; b: number; rss: number } {
  const m = u.length;
  const mu = u.reduce((s, x) => s + x, 0) / m;
  const mv = v.reduce((s, x) => s + x, 0) / m;
  let suu = 0, suv = 0;
  for (let i = 0; i < m; i++) {
    suu += (u[i] - mu) * (u[i] - mu);
    suv += (u[i] - mu) * (v[i] - mv);
  }
  const b = suu > 0 ? suv / suu : 0;
  const a = mv - b * mu;
  let rss = 0;
  for (let i = 0; i < m; i++) rss += (v[i] - a - b * u[i]) ** 2;
  return { a, b, rss };
}

/**
 * Fits both families to a decay curve y[k] at steps n[k]. Throws RangeError when fewer than
 * three usable points remain (n >= 1, y > 0).
 */
export function fitDecay(n: ArrayLike<number>, y: ArrayLike<number>): DecayFit {
  if (n.length !== y.length) throw new RangeError(`fitDecay needs as many steps as values, got ${n.length} and ${y.length}`);
  const ns: number[] = [], logs: number[] = [];
  for (let i = 0; i < n.length; i++) {
    if (n[i] >= 1 && y[i] > 0 && Number.isFinite(y[i])) {
      ns.push(n[i]);
      logs.push(Math.log(y[i]));
    }
  }
  if (ns.length < 3) throw new RangeError(`fitDecay needs at least 3 points with n >= 1 and y > 0, got ${ns.length}`);
  const e = line(ns, logs); // log y = log A - rate n
  const p = line(ns.map(Math.log), logs); // log y = log A - exponent log n
  const exponential = { amplitude: Math.exp(e.a), parameter: -e.b, rss: e.rss };
  const powerLaw = { amplitude: Math.exp(p.a), parameter: -p.b, rss: p.rss };
  return { exponential, powerLaw, better: powerLaw.rss < exponential.rss ? 'power-law' : 'exponential', points: ns.length };
}
