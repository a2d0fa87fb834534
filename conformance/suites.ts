// Every conformance suite, in the order `capref conformance all` runs them.
import { kernelSuite } from './kernel/suite.js';
import { mmSuite } from './mm/suite.js';
import { pagingSuite } from './paging/suite.js';
import type { Suite } from './subsystems.js';
import { umpSuite } from './ump/suite.js';

export const suites: readonly Suite[] = [kernelSuite, mmSuite, pagingSuite, umpSuite];

export const suiteByName = (name: string): Suite | undefined => suites.find((s) => s.name === name);
