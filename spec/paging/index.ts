// The address space's spec: the contract (address-space.ts), its operations
// (ops.ts), state (state.ts), configuration (config.ts), geometry (layout.ts),
// error codes (errors.ts), preconditions, invariants, postconditions and the
// decisions the sources leave open (decisions.ts).
export * from './address-space.js';
export * from './config.js';
export * from './decisions.js';
export * from './errors.js';
export * from './invariants.js';
export * from './kernel-view.js';
export * from './layout.js';
export * from './ops.js';
export * from './postconditions.js';
export * from './preconditions.js';
export * from './query.js';
export * from './state.js';
