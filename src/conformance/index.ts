// Conformance: checking any backend against reference fixtures ("plstm-fixture/1").
export { FIXTURE_FORMAT, parseFixture, type Fixture } from './fixture.js';
export { TOLERANCES, toleranceFor, compare, type Tolerance, type Comparison } from './compare.js';
export { runFixture, type ConformanceRun } from './run.js';
export { formatRuns, summaryLine, runsToJson } from './report.js';
