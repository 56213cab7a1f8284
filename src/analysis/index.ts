// Analysis of trained models: the power law in theory and in measurement.
export { lstmRetention, plstmRetention } from './decay-curves.js';
export { fitDecay, type DecayFit, type FamilyFit } from './decay-fit.js';
export { measuredDecay, type MeasuredDecay, type MeasuredDecayOptions } from './measured-decay.js';
export { lstmTimescales, resetIntervals } from './timescales.js';
export { silenceUnits, ablateByValue, type AblationGroup } from './ablation.js';
