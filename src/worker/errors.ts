import * as Comlink from 'comlink';
import { EngineError, type EngineErrorCode } from '../ml/types';
import { ModelLimitError, type ModelLimitProblem } from '../io/model-limit-error';
import { TmFileError, type TmProblem } from '../io/tm-file-error';

/** An error as it crosses the worker boundary: what the page needs to name it in the learner's language. */
export interface WireError {
  name: string;
  message: string;
  stack?: string;
  /** EngineError's code and details. */
  code?: string;
  details?: Record<string, string | number>;
  /** The problem of a file error (TmFileError, ModelLimitError, ModelFileError). */
  problem?: string;
}

type Thrown = { isError: true; value: WireError } | { isError: false; value: unknown };

const field = <T>(err: object, key: string, is: (v: unknown) => v is T): T | undefined => {
  const v = (err as Record<string, unknown>)[key];
  return is(v) ? v : undefined;
};
const isString = (v: unknown): v is string => typeof v === 'string';
const isDetails = (v: unknown): v is Record<string, string | number> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string' || typeof x === 'number');

/** Keeps name, message and stack like Comlink does, plus the code, details and problem the UI translates by. */
export function toWire(err: Error): WireError {
  const wire: WireError = { name: err.name, message: err.message, stack: err.stack };
  const code = field(err, 'code', isString);
  const details = field(err, 'details', isDetails);
  const problem = field(err, 'problem', isString);
  if (code !== undefined) wire.code = code;
  if (details !== undefined) wire.details = { ...details };
  if (problem !== undefined) wire.problem = problem;
  return wire;
}

/** The error again on this side: the engine's and the file checks' own classes, so `instanceof` works in the views. */
export function fromWire(wire: WireError): Error {
  let err: Error;
  if (wire.name === 'EngineError' && wire.code) err = new EngineError(wire.code as EngineErrorCode, wire.message, wire.details ?? {});
  else if (wire.name === 'TmFileError' && wire.problem) err = new TmFileError(wire.problem as TmProblem, '');
  else if (wire.name === 'ModelLimitError' && wire.problem) err = new ModelLimitError(wire.problem as ModelLimitProblem, '');
  else {
    // Any other class (ModelFileError, whose module pulls in tfjs, included) keeps its name and problem as fields.
    err = new Error(wire.message);
    err.name = wire.name;
    if (wire.problem !== undefined) Object.assign(err, { problem: wire.problem });
  }
  err.message = wire.message;
  if (wire.stack !== undefined) err.stack = wire.stack;
  return err;
}

/** Comlink's own "throw" handler: it alone knows the private marker of a thrown value. */
const comlinkThrow = Comlink.transferHandlers.get('throw')!;

/** Comlink's "throw" handler with toWire/fromWire in place of its name/message/stack copy. */
export const throwHandler: Comlink.TransferHandler<{ value: unknown }, Thrown> = {
  canHandle: (value): value is { value: unknown } => comlinkThrow.canHandle(value),
  serialize({ value }) {
    const thrown: Thrown = value instanceof Error ? { isError: true, value: toWire(value) } : { isError: false, value };
    return [thrown, []];
  },
  deserialize(thrown) {
    throw thrown.isError ? fromWire(thrown.value) : thrown.value;
  },
};

/** Installs the handler on this side of the boundary; the worker and the page both call it before any message. */
export function useErrorTransport(): void {
  Comlink.transferHandlers.set('throw', throwHandler as Comlink.TransferHandler<unknown, unknown>);
}
