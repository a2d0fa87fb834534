// `npm run bench -- <suite...>`: runs the named suites (all when none is named).
// `--quick` runs a reduced workload, for smoke tests of the benchmark itself.
import { suites } from './suites.js';
import { writeReport } from './report.js';

async function main(argv: readonly string[]): Promise<number> {
  const quick = argv.includes('--quick');
  const names = argv.filter((a) => !a.startsWith('--'));
  const unknown = names.filter((n) => !(n in suites));
  if (unknown.length > 0) {
    process.stderr.write(`bench: unknown suite ${unknown.join(', ')}; known: ${Object.keys(suites).join(', ') || '(none)'}\n`);
    return 2;
  }
  for (const name of names.length > 0 ? names : Object.keys(suites)) {
    const results = await suites[name]!({ quick });
    writeReport(name, results);
  }
  return 0;
}

main(process.argv.slice(2)).then((code) => void (process.exitCode = code));
