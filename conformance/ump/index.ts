// UMP conformance: deterministic interleavings (driver, generation, shrinking,
// traces) and real-thread exchange.
export * from './trace.js';
export * from './driver.js';
export * from './generate.js';
export * from './shrink.js';
export * from './run.js';
export * from './threads/exchange.js';
export * from './threads/run.js';
export * from './exhaustive.js';
