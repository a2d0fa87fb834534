// The result of every operation in every subsystem. Misuse by a caller is a
// failure value with an error code, never an exception: an exception means a
// bug in capref (DESIGN.md, "The contract between model and impl").

export type Ok<V> = { readonly ok: true; readonly value: V };
export type Err<E extends string, A extends string = string> = {
  readonly ok: false;
  readonly error: E;
  /** The argument the error is about ("src", "dest", "target", ...), when one is. */
  readonly arg?: A;
};
export type Result<V, E extends string, A extends string = string> = Ok<V> | Err<E, A>;

export const ok = <V>(value: V): Ok<V> => ({ ok: true, value });
export const err = <E extends string, A extends string>(error: E, arg?: A): Err<E, A> => (arg === undefined ? { ok: false, error } : { ok: false, error, arg });
