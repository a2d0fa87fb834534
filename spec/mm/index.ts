// The memory manager's spec: the contract (mm.ts), its operations (ops.ts),
// state (state.ts), parameters (config.ts) and error codes (errors.ts).
export * from './config.js';
export * from './errors.js';
export * from './mm.js';
export * from './ops.js';
export * from './state.js';
export * from './decisions.js';
export * from './invariants.js';
export * from './policy.js';
export * from './postconditions.js';
export * from './preconditions.js';
