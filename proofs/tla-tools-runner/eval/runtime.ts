// What compiled closures run against.
//
// A Frame is one activation of an operator, LAMBDA or function body: slot 0 holds the lexically
// enclosing frame, the other slots hold parameters and bound variables. Quantifiers reuse their
// slot for each element, so evaluation allocates one small array per operator call and nothing
// per quantified element.
//
// Actions are compiled to continuation-passing closures: an action calls `k()` once per
// successor assignment it allows, after writing the primed variables it assigns into
// `rt.nxt` (and undoes the writes when `k` returns).
import type { SourceLoc } from '../errors.js';
import type { Value } from '../values/value.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Frame = any[];
export type ValFn = (f: Frame) => Value;
export type ActFn = (f: Frame, k: () => void) => void;

/** An operator handed to a higher-order parameter (`Op(F(_))`), a LAMBDA or a named operator. */
export class OpClosure {
  constructor(
    readonly arity: number,
    readonly call: (args: Value[]) => Value,
    readonly name: string,
  ) {}
}

/**
 * A by-name operator argument, as TLA+'s substitution semantics needs for action operators:
 * `Step(v) == v' = v + 1` applied to `Step(x)` must assign x'. The argument is evaluated where
 * the parameter is used, unprimed or primed, and knows which variable it assigns.
 */
export class Thunk {
  private memo: Value | undefined;
  constructor(
    readonly frame: Frame,
    readonly val: ValFn,
    readonly act: ActFn,
    /** Its value in the next state (the argument compiled inside a prime), or null if it has none. */
    readonly primedVal: ValFn | null,
    /** The variable `p = e` / `p \in S` assigns through it (x' in Next, x in Init), or -1. */
    readonly target: number,
    /** The variable `p' = e` / UNCHANGED p assigns through it (Next, argument x), or -1. */
    readonly primeTarget: number,
    /** Whether the unprimed value is fixed while the action runs (Next: yes; Init: no). */
    private readonly stable: boolean,
  ) {}
  value(): Value {
    if (!this.stable) return this.val(this.frame);
    return (this.memo ??= this.val(this.frame));
  }
  primed(): Value {
    if (this.primedVal === null) return this.value();
    return this.primedVal(this.frame);
  }
}

/** The action that produced a successor, for TLC's `State i: <Name(args) line ...>` labels. */
export interface ActionLabel {
  readonly name: string;
  readonly args: readonly Value[];
  readonly loc: SourceLoc;
}

export class Runtime {
  /** The current state (unprimed variables). */
  cur: Value[] = [];
  /** The next state being built (primed variables, or Init's variables); undefined = unassigned. */
  nxt: (Value | undefined)[] = [];
  /** The innermost action operator being enumerated. */
  label: ActionLabel | null = null;
  /** Where Print/PrintT write. */
  print: (line: string) => void = () => {};
  constructor(readonly varNames: readonly string[]) {}
}

/** Marks a LET definition's cache slot that has not been evaluated in this activation. */
export const UNEVALUATED = Symbol('unevaluated');
