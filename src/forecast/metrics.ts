// Forecast accuracy, per horizon step and overall, as GluonTS's Evaluator reports it:
//   MAE   = mean |y - f|
//   RMSE  = sqrt(mean (y - f)^2)
//   sMAPE = 100 * mean 2|y - f| / (|y| + |f|)   (a point with y = f = 0 counts 0)
//   MAPE  = 100 * mean |y - f| / |y|            (points with y = 0 are left out)
//   MASE  = mean |y - f| / s, s = the series' in-sample seasonal-naive MAE on its training
//           part: mean over t >= m of |y_t - y_{t-m}| (m = seasonal period)
//   pinball  = mean over points and quantiles of rho_q(y - f_q), rho_q(u) = max(q u, (q - 1) u)
//   coverage = share of points inside [lowest quantile, highest quantile]

/** The metrics of a set of forecasts (pinball and coverage only with quantiles). */
export interface ForecastMetrics {
  MAE: number;
  RMSE: number;
  sMAPE: number;
  MAPE: number;
  MASE: number;
  pinball?: number;
  coverage?: number;
  /** Points counted. */
  count: number;
}

/** The scale of MASE: the in-sample seasonal-naive MAE of values[0 .. end) with period m. */
export function maseScale(values: ArrayLike<number>, end: number, m: number): number {
  let sum = 0, n = 0;
  for (let t = m; t < end; t++) {
    sum += Math.abs(values[t] - values[t - m]);
    n++;
  }
  return n > 0 && sum > 0 ? sum / n : NaN;
}

/** Pinball loss of one forecast f of quantile level q against the actual y. */
export function pinball(y: number, f: number, q: number): number {
  const u = y - f;
  return u > 0 ? q * u : (q - 1) * u;
}

class Sums {
  abs = 0; sq = 0; smape = 0; mape = 0; mapeN = 0; scaled = 0; pinball = 0; covered = 0; n = 0;
}

/** Collects forecasts window by window; result() gives the metrics per step and overall. */
export class MetricAccumulator {
  private readonly steps: Sums[];
  private readonly all = new Sums();

  /** quantiles: the levels of the quantile forecasts passed to add(), if any. */
  constructor(readonly horizon: number, readonly quantiles: readonly number[] | null = null) {
    this.steps = Array.from({ length: horizon }, () => new Sums());
  }

  /**
   * One window: actual[h] and point forecast[h] for h < horizon (or fewer steps), the series'
   * MASE scale, and with quantiles q[h * Q + j] (level quantiles[j]).
   */
  add(actual: ArrayLike<number>, forecast: ArrayLike<number>, scale: number, q: ArrayLike<number> | null = null): void {
    const Q = this.quantiles?.length ?? 0;
    for (let h = 0; h < actual.length; h++) {
      const y = actual[h], f = forecast[h], e = Math.abs(y - f);
      for (const s of [this.steps[h], this.all]) {
        s.abs += e;
        s.sq += e * e;
        const denom = Math.abs(y) + Math.abs(f);
        s.smape += denom > 0 ? (2 * e) / denom : 0;
        if (y !== 0) { s.mape += e / Math.abs(y); s.mapeN++; }
        s.scaled += e / scale;
        if (q !== null && Q > 0) {
          let pl = 0, lo = Infinity, hi = -Infinity;
          for (let j = 0; j < Q; j++) {
            const v = q[h * Q + j];
            pl += pinball(y, v, this.quantiles![j]);
            lo = Math.min(lo, v); hi = Math.max(hi, v);
          }
          s.pinball += pl / Q;
          if (y >= lo && y <= hi) s.covered++;
        }
        s.n++;
      }
    }
  }

  /** Metrics over all windows and steps. */
  overall(): ForecastMetrics {
    return this.metricsOf(this.all);
  }

  /** Metrics of each horizon step (index h = step h + 1). */
  perStep(): ForecastMetrics[] {
    return this.steps.map((s) => this.metricsOf(s));
  }

  private metricsOf(s: Sums): ForecastMetrics {
    const m: ForecastMetrics = {
      MAE: s.abs / s.n,
      RMSE: Math.sqrt(s.sq / s.n),
      sMAPE: (100 * s.smape) / s.n,
      MAPE: s.mapeN > 0 ? (100 * s.mape) / s.mapeN : NaN,
      MASE: s.scaled / s.n,
      count: s.n,
    };
    if (this.quantiles !== null && this.quantiles.length > 0) {
      m.pinball = s.pinball / s.n;
      m.coverage = s.covered / s.n;
    }
    return m;
  }
}
