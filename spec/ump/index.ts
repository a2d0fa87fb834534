// The UMP channel contract: wire format, configuration, errors, the step
// alphabet, the abstract state and its invariants (DESIGN.md family 7).
export * from './errors.js';
export * from './wire.js';
export * from './config.js';
export * from './state.js';
export * from './steps.js';
export * from './invariants.js';
export * from './contract.js';
