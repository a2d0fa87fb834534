// Parses values as TLC prints them in traces: TRUE/FALSE, integers, "strings", bare model values,
// {sets}, <<tuples>>, [records |-> ...], (functions :> ... @@ ...), a..b intervals. Line breaks
// (TLC wraps long values) are whitespace.
import { fcnFromPairs } from '../eval/natives.js';
import { modelValue, record, setOf, str, type Str, tuple, type Value } from '../values/value.js';

export class TlcValueSyntaxError extends Error {
  override name = 'TlcValueSyntaxError';
}

class Reader {
  i = 0;
  constructor(readonly s: string) {}

  ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++;
  }

  peek(t: string): boolean {
    this.ws();
    return this.s.startsWith(t, this.i);
  }

  eat(t: string): void {
    this.ws();
    if (!this.s.startsWith(t, this.i)) this.fail(`expected ${t}`);
    this.i += t.length;
  }

  fail(msg: string): never {
    throw new TlcValueSyntaxError(`${msg} at offset ${this.i} of ${JSON.stringify(this.s.length > 120 ? `${this.s.slice(0, 120)}...` : this.s)}`);
  }

  list<T>(close: string, item: () => T, sep = ','): T[] {
    const out: T[] = [];
    if (this.peek(close)) {
      this.eat(close);
      return out;
    }
    for (;;) {
      out.push(item());
      if (this.peek(sep)) {
        this.eat(sep);
        continue;
      }
      this.eat(close);
      return out;
    }
  }

  value(): Value {
    this.ws();
    const c = this.s[this.i];
    if (c === undefined) this.fail('unexpected end of value');
    if (this.s.startsWith('<<', this.i)) {
      this.i += 2;
      return tuple(this.list('>>', () => this.value()));
    }
    if (c === '{') {
      this.i++;
      return setOf(this.list('}', () => this.value()));
    }
    if (c === '[') {
      this.i++;
      const names: Str[] = [];
      const vals: Value[] = [];
      this.list(']', () => {
        this.ws();
        const m = /^[A-Za-z0-9_]+/.exec(this.s.slice(this.i));
        if (m === null) this.fail('expected a record field name');
        this.i += m[0].length;
        this.eat('|->');
        names.push(str(m[0]));
        vals.push(this.value());
      });
      return record(names, vals);
    }
    if (c === '(') {
      this.i++;
      const keys: Value[] = [];
      const vals: Value[] = [];
      this.list(
        ')',
        () => {
          keys.push(this.value());
          this.eat(':>');
          vals.push(this.value());
        },
        '@@',
      );
      return fcnFromPairs(keys, vals);
    }
    if (c === '"') {
      let j = this.i + 1;
      let out = '';
      while (j < this.s.length && this.s[j] !== '"') {
        if (this.s[j] === '\\') {
          const e = this.s[j + 1];
          out += e === 'n' ? '\n' : e === 't' ? '\t' : (e ?? '');
          j += 2;
        } else out += this.s[j++];
      }
      if (j >= this.s.length) this.fail('unterminated string');
      this.i = j + 1;
      return str(out);
    }
    const num = /^-?[0-9]+/.exec(this.s.slice(this.i));
    if (num !== null) {
      this.i += num[0].length;
      const n = Number(num[0]);
      if (this.peek('..')) {
        this.eat('..');
        const hi = /^-?[0-9]+/.exec(this.s.slice((this.ws(), this.i)));
        if (hi === null) this.fail('expected the upper bound of an interval');
        this.i += hi[0].length;
        const elems: number[] = [];
        for (let k = n; k <= Number(hi[0]); k++) elems.push(k);
        return setOf(elems);
      }
      return n;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.s.slice(this.i));
    if (id !== null) {
      this.i += id[0].length;
      if (id[0] === 'TRUE') return true;
      if (id[0] === 'FALSE') return false;
      return modelValue(id[0]);
    }
    return this.fail(`unexpected ${JSON.stringify(c)}`);
  }
}

/** Parses one value printed by TLC. */
export function parseTlcValue(text: string): Value {
  const r = new Reader(text);
  const v = r.value();
  r.ws();
  if (r.i !== text.length) r.fail('trailing text after the value');
  return v;
}

/**
 * Parses the variable assignments of one state as TLC prints it: `/\ x = 1` lines (or a single
 * `x = 1` for a one-variable spec), with long values continued on indented lines.
 */
export function parseTlcState(text: string): { name: string; value: Value }[] {
  const body = text.trim();
  if (body === '') return [];
  const parts = body.startsWith('/\\') ? body.split(/^\/\\ /m).filter((p) => p.trim() !== '') : [body];
  return parts.map((p) => {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*([\s\S]*)$/.exec(p.trim());
    if (m === null) throw new TlcValueSyntaxError(`cannot read the assignment ${JSON.stringify(p.trim().slice(0, 80))}`);
    return { name: m[1]!, value: parseTlcValue(m[2]!) };
  });
}
