// TLC's .cfg syntax (tlc2.tool.impl.ModelConfig): keywords, values, overrides, comments,
// arguments on the next line, and loud errors naming the file and line.
import { describe, expect, it } from 'vitest';
import { parseConfig, ConfigError } from '../../proofs/tla-tools-runner/index.js';

describe('TLC configuration files', () => {
  it('reads constants of every kind: model values, sets of them, numbers, strings, booleans, nested sets', () => {
    const cfg = parseConfig(
      `CONSTANTS
         Procs = {p1, p2}   \\* model values
         N = 3  M = -2
         Name = "a \\"quoted\\" name"
         Flag = FALSE
         Nil = Nil
         Q = {{a, b}, {}, {c}}`,
      'x.cfg',
    );
    expect(cfg.constants.map((c) => [c.name, c.value])).toEqual([
      ['Procs', { k: 'set', elems: [{ k: 'model', name: 'p1' }, { k: 'model', name: 'p2' }] }],
      ['N', { k: 'int', v: 3 }],
      ['M', { k: 'int', v: -2 }],
      ['Name', { k: 'str', v: 'a "quoted" name' }],
      ['Flag', { k: 'bool', v: false }],
      ['Nil', { k: 'model', name: 'Nil' }],
      [
        'Q',
        {
          k: 'set',
          elems: [
            { k: 'set', elems: [{ k: 'model', name: 'a' }, { k: 'model', name: 'b' }] },
            { k: 'set', elems: [] },
            { k: 'set', elems: [{ k: 'model', name: 'c' }] },
          ],
        },
      ],
    ]);
  });

  it('reads <- replacements, module-scoped ones, and M!x left-hand sides', () => {
    const cfg = parseConfig('CONSTANT Nat <- MCNat\n Ballot <-[Voting] MCBallot\n NoHash = [Nano]NoHashVal\n A!B <- C', 'x.cfg');
    expect(cfg.overrides).toEqual([
      { name: 'Nat', target: 'MCNat', line: 1 },
      { name: 'Ballot', target: 'MCBallot', module: 'Voting', line: 2 },
      { name: 'A!B', target: 'C', line: 4 },
    ]);
    expect(cfg.constants).toEqual([{ name: 'NoHash', value: { k: 'model', name: 'NoHashVal' }, module: 'Nano', line: 3 }]);
  });

  it('takes arguments on the next line, repeated keywords, both comment styles', () => {
    const cfg = parseConfig(
      `(* a model
          (* nested *) comment *)
       SPECIFICATION
         Spec
       INVARIANT TypeOK
       INVARIANTS Safe
         Live \\* two more
       CONSTRAINT Bound
       ACTION_CONSTRAINT Step
       SYMMETRY
         Perms
       VIEW v
       CHECK_DEADLOCK
         FALSE`,
      'x.cfg',
    );
    expect(cfg.specification).toBe('Spec');
    expect(cfg.invariants).toEqual(['TypeOK', 'Safe', 'Live']);
    expect(cfg.constraints).toEqual(['Bound']);
    expect(cfg.actionConstraints).toEqual(['Step']);
    expect(cfg.symmetry).toBe('Perms');
    expect(cfg.view).toBe('v');
    expect(cfg.checkDeadlock).toBe(false);
  });

  it('reads INIT/NEXT and PROPERTY (whose checking is refused later, not here)', () => {
    const cfg = parseConfig('INIT Init NEXT Next PROPERTIES Live Fair', 'x.cfg');
    expect([cfg.init, cfg.next, cfg.properties]).toEqual(['Init', 'Next', ['Live', 'Fair']]);
  });

  it('records identifiers and strings in order (TLC interns them before the spec)', () => {
    expect(parseConfig('CONSTANT A = {x, "s"} INIT I', 'x.cfg').tokens).toEqual(['CONSTANT', 'A', 'x', 's', 'INIT', 'I']);
  });

  it.each([
    ['CONSTANT N 3', /expected "=" or "<-" after N/],
    ['CONSTANT S = {1, 2', /missing/],
    ['CONSTANT S = {1 2}', /expected "," or "}"/],
    ['INIT', /missing a name after INIT/],
    ['INIT Init\nINIT Other', /INIT appears twice/],
    ['CHECK_DEADLOCK maybe', /TRUE or FALSE/],
    ['SPECIFICATION S INIT I', /cannot be combined/],
    ['FOO Bar', /expected a keyword, found "FOO"/],
    ['CONSTANT F(1) = 2', /operator constants/],
    ['CONSTANT S = "unterminated', /unterminated string/],
    ['(* never closed', /unterminated comment/],
  ])('rejects %j with a ConfigError naming the problem', (text, re) => {
    expect(() => parseConfig(text, 'bad.cfg')).toThrow(ConfigError);
    expect(() => parseConfig(text, 'bad.cfg')).toThrow(re);
    try {
      parseConfig(text, 'bad.cfg');
    } catch (e) {
      expect((e as ConfigError).exitCode).toBe(151);
      expect((e as ConfigError).message).toMatch(/^bad\.cfg/);
    }
  });
});
