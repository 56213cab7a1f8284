// The one shape every statistical baseline has, so that a table of baselines is a list of functions.

/**
 * A baseline forecast: `history` is the series' observed values before the origin, in time
 * order; `h` the number of steps to forecast; `seasons[0]` the main seasonal period m (more
 * periods may follow, e.g. [24, 168] for hourly data). Returns the h forecasts after the origin.
 */
export type BaselineForecast = (history: Float64Array, h: number, seasons: readonly number[]) => Float64Array;
