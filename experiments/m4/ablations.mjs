// The ablations of the M4 Hourly recipe (EXPERIMENTS.md, "M4 Hourly"): a stand-alone script
// on the built package (`npm run build` first) that frames windows the way the forecaster's
// normalize 'seasonal' does, with each part switchable, trains one global model on the
// validation split (the last 48 values of each series held out) and prints sMAPE and MASE.
//
//   node experiments/m4/ablations.mjs --data=Hourly-train.csv [--cell=plstm] [--L=336] [--hidden=32]
//        [--steps=3000] [--base=none|day|week|profile|auto] [--K=7] [--scale=none|std|sdiff] [--seed=1]
//
// --base: none, the last day, the last week, the mean of the last 7 days, or auto (the lag
// among 23, 24, 25, 168 that repeated best over the last week, averaged over K cycles);
// --scale: none, the window's standard deviation (the forecaster's), or its mean seasonal
// difference. --per=1 lists the 25 series with the largest MASE. The level here is the log of
// the mean of the last week (the forecaster takes the mean of the logs).
import { readFileSync } from 'node:fs';
import { SequenceModel, createOptimizer, fit, Rng } from '../../dist/index.js';
const A = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const num = (k, d) => (A[k] === undefined ? d : Number(A[k]));
const cell = A.cell ?? 'plstm', L = num('L', 336), Hd = num('hidden', 32), B = num('B', 32), steps = num('steps', 3000);
const lr = num('lr', 3e-3), seed = num('seed', 1), base = A.base ?? 'none', loss = A.loss ?? 'pinball', maxAge = num('maxAge', 1e9);
const levelSpan = num('levelSpan', 168), threads = num('threads', 2), layers = num('layers', 1), feats = A.feats ?? '';
const H = 48;
const rows = readFileSync(A.data ?? 'Hourly-train.csv', 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map((c) => c.replace(/"/g, '')));
const S = rows.map((r) => { const v = Float64Array.from(r.slice(1).filter((c) => c !== ''), Number); return { id: r[0], all: v, tr: v.subarray(0, v.length - H), act: v.subarray(v.length - H) }; });
for (const s of S) { s.ly = s.tr.map(Math.log); let sc = 0; for (let t = 24; t < s.tr.length; t++) sc += Math.abs(s.tr[t] - s.tr[t - 24]); s.sc = sc / (s.tr.length - 24); }
const alpha = num('alpha', 0), wcap = num('wcap', 1e9);
const F = 1 + (feats.includes('w') ? 1 : 0) + (feats.includes('d') ? 1 : 0);
function lvl(s, o) { let m = 0; for (let t = o - levelSpan; t < o; t++) m += s.tr[t]; return Math.log(m / levelSpan); }
const K = num('K', 7), cands = (A.cands ?? '23,24,25,168').split(',').map(Number), selSpan = num('selSpan', 168);
function bestLag(s, o) {
  let best = 24, be = Infinity;
  for (const m of cands) { let e = 0; for (let t = o - selSpan; t < o; t++) e += Math.abs(s.ly[t] - s.ly[t - m]); if (e < be - 1e-12) { be = e; best = m; } }
  return best;
}
function baseOf(s, o, h, ll) {
  if (base === 'auto') { const m = s._m; const k = m >= 168 ? 1 : K; let v = 0; for (let j = 1; j <= k; j++) v += s.ly[o - j * m + (h % m)]; return v / k - ll; }
  if (base === 'none') return 0;
  if (base === 'day') return s.ly[o - 24 + (h % 24)] - ll;
  if (base === 'week') return s.ly[o - 168 + h] - ll;
  if (base === 'profile') { let m = 0; for (let k = 1; k <= 7; k++) m += s.ly[o - 24 * k + (h % 24)]; return m / 7 - ll; }
}
const scaleMode = A.scale ?? 'none', dmin = num('dmin', 1e-3);
function spread(s, o) {
  if (scaleMode === 'none') return 1;
  let d = 0, n = 0;
  if (scaleMode === 'sdiff') { for (let t = Math.max(24, o - L); t < o; t++) { d += Math.abs(s.ly[t] - s.ly[t - 24]); n++; } }
  if (scaleMode === 'std') { let m = 0; for (let t = o - L; t < o; t++) m += s.ly[t] / L; for (let t = o - L; t < o; t++) { d += (s.ly[t] - m) ** 2; n++; } return Math.max(dmin, Math.sqrt(d / n)); }
  return Math.max(dmin, d / n);
}
function write(s, o, x, xb, y, yb) {
  const ll = lvl(s, o), d = spread(s, o);
  for (let i = 0; i < L; i++) {
    const t = o - L + i, k = (xb * L + i) * F; x[k] = (s.ly[t] - ll) / d; let f = 1;
    if (feats.includes('w')) x[k + f++] = t >= 168 ? s.ly[t] - s.ly[t - 168] : 0;
    if (feats.includes('d')) x[k + f++] = t >= 24 ? s.ly[t] - s.ly[t - 24] : 0;
  }
  const b = new Float64Array(H); if (base === 'auto') s._m = bestLag(s, o);
  for (let h = 0; h < H; h++) { b[h] = baseOf(s, o, h, ll); if (y) y[yb * H + h] = (s.ly[o + h] - ll - b[h]) / d; }
  return { ll, b, d };
}
const rng = new Rng(seed * 7919 + 13);
const model = SequenceModel.create({ input: { kind: 'dense', size: F }, layers: Array.from({ length: layers }, () => ({ cell, hidden: Hd })), head: { size: H, steps: 'last' },
  loss, ...(loss === 'pinball' ? { quantiles: [0.5] } : {}), seed }, { threads });
const valid = S.filter((s) => s.tr.length - H >= L);
const data = () => {
  const x = new Float32Array(B * L * F), y = new Float32Array(B * H), weights = new Float32Array(B);
  for (let b = 0; b < B; b++) {
    const s = valid[Math.floor(rng.uniform() * valid.length)];
    const hi = s.tr.length - H, lo = Math.max(L, hi - maxAge);
    const o = lo + Math.floor(rng.uniform() * (hi - lo + 1));
    const { ll } = write(s, o, x, b, y, b);
    weights[b] = Math.min(wcap, Math.pow(Math.exp(ll) / s.sc, alpha));
  }
  return { B, T: L, x, y, weights };
};
const t0 = performance.now();
await fit(model, createOptimizer({ kind: 'adam', lr }), { data, batchesPerEpoch: steps, epochs: 1, clip: 1, learningRate: { kind: 'cosine', lr, epochs: 1 } });
const trainS = (performance.now() - t0) / 1000;
// forecast from the end of each train part
let smape = 0, mase = 0, n = 0, sn_s = 0, sn_m = 0;
const x = new Float32Array(S.length * L * F); const meta = [];
S.forEach((s, i) => { meta.push(write(s, s.tr.length, x, i, null, 0)); });
const out = model.predict({ x, B: S.length, T: L });
const per = [], FC = new Float64Array(S.length * H);
S.forEach((s, i) => {
  let pm = 0, ps = 0;
  let sc = 0; for (let t = 24; t < s.tr.length; t++) sc += Math.abs(s.tr[t] - s.tr[t - 24]); sc /= s.tr.length - 24;
  for (let h = 0; h < H; h++) {
    const f = Math.exp(meta[i].ll + meta[i].b[h] + meta[i].d * out[i * H + h]), yv = s.act[h]; FC[i * H + h] = f;
    smape += 200 * Math.abs(yv - f) / (Math.abs(yv) + Math.abs(f)); mase += Math.abs(yv - f) / sc; n++; pm += Math.abs(yv - f) / sc / H;
    const g = s.tr[s.tr.length - 24 + (h % 24)];
    sn_s += 200 * Math.abs(yv - g) / (Math.abs(yv) + Math.abs(g)); sn_m += Math.abs(yv - g) / sc; ps += Math.abs(yv - g) / sc / H;
  }
  per.push([s.id, +pm.toFixed(2), +ps.toFixed(2), s.tr.length]);
});
if (A.per) console.log(JSON.stringify(per.sort((a, b) => b[1] - a[1]).slice(0, 25)));
console.log(JSON.stringify({ ...A, sMAPE: +(smape / n).toFixed(3), MASE: +(mase / n).toFixed(3), snaive: [+(sn_s / n).toFixed(3), +(sn_m / n).toFixed(3)], trainS: +trainS.toFixed(1) }));
if (A.save) { const { writeFileSync } = await import('node:fs'); writeFileSync(A.save, JSON.stringify(Array.from(FC))); }
