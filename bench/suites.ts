// The benchmark suites by name. Each runs its workloads and returns results;
// main.ts prints and writes them. Add a suite by adding its entry here.
import type { BenchResult } from './report.js';
import { kernelBench } from './kernel.js';
import { mmBench } from './mm.js';
import { pagingBench } from './paging.js';
import { umpSuite } from './ump.js';

export type Suite = (options: { readonly quick: boolean }) => Promise<readonly BenchResult[]>;

export const suites: Readonly<Record<string, Suite>> = { kernel: kernelBench, mm: mmBench, paging: pagingBench, ump: umpSuite };
