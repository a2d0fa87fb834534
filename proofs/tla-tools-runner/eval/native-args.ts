// Argument checks shared by the natively implemented operators (natives.ts, community.ts).
import { EvalError, type SourceLoc } from '../errors.js';
import { shortPrint, type Value } from '../values/value.js';
import { OpClosure } from './runtime.js';

/** A value argument (an operator given where a value is expected is an error). */
export function val(x: Value | OpClosure, loc: SourceLoc): Value {
  if (x instanceof OpClosure) throw new EvalError(`an operator (${x.name}) was given where a value is expected`, loc);
  return x;
}

/** An operator argument of the given arity. */
export function op(x: Value | OpClosure, arity: number, what: string, loc: SourceLoc): OpClosure {
  if (!(x instanceof OpClosure) || x.arity !== arity) throw new EvalError(`${what}: expected an operator with ${arity} argument(s)`, loc);
  return x;
}

export function bool(x: Value, what: string, loc: SourceLoc): boolean {
  if (typeof x !== 'boolean') throw new EvalError(`${what}: expected a boolean, found ${shortPrint(x)}`, loc);
  return x;
}
