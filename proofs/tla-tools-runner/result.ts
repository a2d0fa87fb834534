// What a check returns, whichever engine ran it.
import type { Value } from './values/value.js';

export type Engine = 'embedded' | 'tlc';

export type ResultKind =
  /** No error: every reachable state satisfies the invariants (and, for TLC, the properties). */
  | 'success'
  | 'invariant'
  | 'deadlock'
  | 'assumption'
  /** A temporal or action property (TLC only). */
  | 'property'
  /** Parse, configuration or evaluation error, or a construct the embedded checker refuses. */
  | 'error'
  /** --max-states reached: the state space was not fully explored. */
  | 'limit';

export interface TraceState {
  /** 1-based, as TLC numbers states. */
  readonly index: number;
  /** TLC's label: `Initial predicate`, `Send(p1) line 7, col 12 to line 10, col 35 of module Demo`, `Stuttering`. */
  readonly label: string;
  /** The action's name (`Send`), or null for the initial state and stuttering. */
  readonly action: string | null;
  /** One value per variable, in `CheckResult.variables` order. */
  readonly values: readonly Value[];
}

export interface CheckResult {
  readonly engine: Engine;
  readonly kind: ResultKind;
  /** TLC's exit code (0 ok, 10 assumption, 11 deadlock, 12 safety, 13 liveness, 75 evaluation, 150 parse, 151 config, ...). */
  readonly exitCode: number;
  readonly variables: readonly string[];
  readonly statesGenerated: number | null;
  readonly distinctStates: number | null;
  readonly statesLeftOnQueue: number | null;
  readonly depth: number | null;
  readonly initialStates: number | null;
  readonly violatedInvariant?: string;
  /** The invariant fails in an initial state (TLC then prints no statistics). */
  readonly initialStateViolation?: boolean;
  /** The counterexample (or the behavior that led to an error), shortest first state first. */
  readonly trace: readonly TraceState[];
  /** For a lasso (liveness) counterexample: the 1-based state the last state loops back to. */
  readonly loopBackTo?: number;
  /** The error or failure text (assumption location, evaluation error, unsupported construct). */
  readonly message?: string;
  /** TLC's optimistic fingerprint-collision estimate, as TLC prints it (`2.2E-19`). */
  readonly collisionProbability?: string;
  readonly durationMs: number;
  /** Things said once to the user (fallback engine, ignored fairness, single worker). */
  readonly notes: readonly string[];
  /** Output of Print/PrintT. */
  readonly printed: readonly string[];
}
