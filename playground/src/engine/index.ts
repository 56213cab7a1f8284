// The playground's training engine: what the Web Worker runs. Browser-safe (the library's root
// entry only, no Node built-ins).
export { PlaygroundProblem } from './problem.js';
export { DEFAULT_SETTINGS, SETTING_BOUNDS, settingsFromQuery, settingsToQuery, settingsProblem, type NumberBound, type ChoiceBound } from './settings.js';
export { HELD_OUT_SEQUENCES, copyTask, addingTask, forecastTask, userSeries, type SequenceTask, type ForecastTask } from './tasks.js';
export { PlaygroundRun, TRAIN_CLIP, type RunOptions } from './run.js';
export { modelView, gateGrid, GRID_MAX_ROWS, GRID_MAX_COLS, type ViewInputs } from './views.js';
