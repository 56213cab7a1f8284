// Analysis of trained models: the power law in theory and in measurement.
export { lstmRetention, plstmRetention } from './decay-curves.js';
export { fitDecay, type DecayFit, type FamilyFit } from './decay-fit.js';
export { measuredDecay, type MeasuredDecay, type MeasuredDecayOptions } from './measured-decay.js';
export { lstmTimescales, resetIntervals } from './timescales.js';
export { silenceUnits, ablateByValue, type AblationGroup } from './ablation.js';
export { reportData, type ReportData, type ReportDataOptions, type AblationEvaluator, type Curve, type FitResult, type LayerDecay, type LayerTimescales, type GateTrace, type LayerAblation } from './report-data.js';
export { reportPlots, trainingCurvePlots, describeFit, type NamedPlot, type RunCurves } from './report-plots.js';
