// capref's UMP: shared-memory channels between threads (impl side).
export * from './frame.js';
export * from './ring.js';
export * from './reassembly.js';
export * from './mutants.js';
export * from './endpoint.js';
export * from './steppable.js';
export * from './observe.js';
export * from './local-channel.js';
