// Forecast a series from a CSV file in a few lines: monthly sunspots (SILSO's ';'-separated
// file without a header: column 3 is the decimal year, column 4 the sunspot number).
// Run after `npm run build`:  node --import tsx examples/forecast-csv.ts FILE.csv
import { readFileSync } from 'node:fs';
import { forecast } from 'powerlaw-lstm';

const file = process.argv[2];
if (!file) {
  console.error('usage: node --import tsx examples/forecast-csv.ts SN_m_tot_V2.0.csv (monthly sunspots from SILSO, sidc.be/SILSO)');
  process.exit(2);
}
const [series] = forecast.readSeriesCsv(readFileSync(file), { time: '3', target: '4' });

const model = new forecast.Forecaster({ lookback: 132, horizon: 24, hidden: 32, epochs: 10, season: 132 });
// trained on all but the last 10 years, forecasts from every 2 years of them
const bt = await forecast.backtest(model, series, { testSize: 120, stride: 24 });
// a baseline is a model too: the same backtest scores it
const snaive = await forecast.backtest(new forecast.BaselineModel({ name: 'snaive', horizon: 24, seasons: [132] }), series, { testSize: 120, stride: 24 });
console.log(`pLSTM MASE ${bt.overall.MASE.toFixed(3)} (80% interval covers ${(100 * bt.overall.coverage!).toFixed(0)}%), seasonal naive MASE ${snaive.overall.MASE.toFixed(3)}`);

// the next 12 months after the data, with quantiles 0.1 / 0.5 / 0.9
const [next] = model.predict(series, 12);
next.times.forEach((t, k) => console.log(forecast.formatTime(t, series.timeKind), next.quantiles!.subarray(3 * k, 3 * k + 3).join(' ')));
model.dispose();
