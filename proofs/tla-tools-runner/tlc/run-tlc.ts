// Runs TLC (`java -cp tla2tools.jar tlc2.TLC -tool ...`) so that nothing is written next to the
// spec: the state directory (-metadir) is a temporary directory and no trace-exploration spec is
// generated (-noGenerateSpecTE).
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, delimiter, dirname, join, resolve } from 'node:path';

export interface TlcEnvironment {
  readonly TLA2TOOLS_JAR?: string | undefined;
  readonly JAVA_HOME?: string | undefined;
  readonly PATH?: string | undefined;
}

async function executable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** The java binary: $JAVA_HOME/bin/java, else the first `java` on PATH; null if there is none. */
export async function findJava(env: TlcEnvironment): Promise<string | null> {
  if (env.JAVA_HOME !== undefined && env.JAVA_HOME !== '') {
    const p = join(env.JAVA_HOME, 'bin', 'java');
    if (await executable(p)) return p;
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const p = join(dir, 'java');
    if (await executable(p)) return p;
  }
  return null;
}

/** Why `jar` cannot be TLA+ tools, or null if it looks like a jar (a readable zip file). */
export async function checkJar(jar: string): Promise<string | null> {
  let fh;
  try {
    const st = await stat(jar);
    if (!st.isFile()) return `TLA2TOOLS_JAR=${jar} is not a file`;
    fh = await open(jar, 'r');
    const head = Buffer.alloc(4);
    await fh.read(head, 0, 4, 0);
    if (head.readUInt32LE(0) !== 0x04034b50) return `TLA2TOOLS_JAR=${jar} is not a jar (zip) file`;
    return null;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `TLA2TOOLS_JAR=${jar} does not exist` : `TLA2TOOLS_JAR=${jar} cannot be read (${code ?? String(e)})`;
  } finally {
    await fh?.close();
  }
}

export interface TlcRun {
  readonly java: string;
  readonly jar: string;
  readonly specPath: string;
  readonly configPath: string;
  readonly workers: number;
  /** Called with each line of TLC's output as it arrives. */
  readonly onLine?: (line: string) => void;
}

export interface TlcProcessResult {
  readonly output: string;
  readonly exitCode: number;
  readonly durationMs: number;
  readonly command: readonly string[];
}

export function tlcArguments(run: Omit<TlcRun, 'java' | 'onLine'>, metadir: string): string[] {
  return [
    '-XX:+UseParallelGC',
    '-cp',
    resolve(run.jar),
    'tlc2.TLC',
    '-tool',
    '-workers',
    String(run.workers),
    '-noGenerateSpecTE',
    '-metadir',
    metadir,
    '-config',
    resolve(run.configPath),
    basename(run.specPath),
  ];
}

export async function runTlc(run: TlcRun): Promise<TlcProcessResult> {
  const tmp = await mkdtemp(join(tmpdir(), 'tla-tools-runner-'));
  const args = tlcArguments(run, join(tmp, 'states'));
  const t0 = performance.now();
  try {
    return await new Promise<TlcProcessResult>((done, fail) => {
      const child = spawn(run.java, args, { cwd: dirname(resolve(run.specPath)), stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      let pending = '';
      const take = (chunk: Buffer): void => {
        const s = chunk.toString('utf8');
        output += s;
        if (run.onLine === undefined) return;
        pending += s;
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          run.onLine(pending.slice(0, nl));
          pending = pending.slice(nl + 1);
        }
      };
      child.stdout.on('data', take);
      child.stderr.on('data', take);
      child.on('error', fail);
      child.on('close', (code) => {
        if (pending !== '' && run.onLine !== undefined) run.onLine(pending);
        done({ output, exitCode: code ?? 255, durationMs: performance.now() - t0, command: [run.java, ...args] });
      });
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
