import * as Comlink from 'comlink';
import { afterAll, describe, expect, it } from 'vitest';
import { EngineError } from '../ml/types';
import { ModelLimitError } from '../io/model-limits';
import { TmFileError } from '../io/tm-files';
import { throwHandler, useErrorTransport } from './errors';

/** What the page's side of Comlink rethrows for `err` thrown on the worker's side. */
function roundTrip(err: unknown): unknown {
  const [wire] = throwHandler.serialize({ value: err });
  // What crosses is structured-cloned: no class, no prototype survives.
  const cloned = structuredClone(wire);
  try {
    throwHandler.deserialize(cloned);
  } catch (rethrown) {
    return rethrown;
  }
  throw new Error('deserialize did not throw');
}

describe('errors across the worker boundary', () => {
  it('an EngineError arrives as an EngineError with its code, details and message', () => {
    const sent = new EngineError('BAD_HYPERPARAMETER', 'learningRate must be a positive number; got 0.', { name: 'learningRate', value: '0' });
    const got = roundTrip(sent);
    expect(got).toBeInstanceOf(EngineError);
    const e = got as EngineError;
    expect(e.code).toBe('BAD_HYPERPARAMETER');
    expect(e.details).toEqual({ name: 'learningRate', value: '0' });
    expect(e.message).toBe(sent.message);
    expect(e.name).toBe('EngineError');
  });

  it('file errors keep their class and problem', () => {
    const tm = roundTrip(new TmFileError('labels-mismatch', 'the model outputs 3 values, metadata.json lists 2 labels'));
    expect(tm).toBeInstanceOf(TmFileError);
    expect((tm as TmFileError).problem).toBe('labels-mismatch');
    expect((tm as TmFileError).message).toBe('labels-mismatch: the model outputs 3 values, metadata.json lists 2 labels');
    const limit = roundTrip(new ModelLimitError('weights-mismatch', 'the weight files hold 4 bytes, the shapes need 8'));
    expect(limit).toBeInstanceOf(ModelLimitError);
    expect((limit as ModelLimitError).problem).toBe('weights-mismatch');
  });

  it('another error class keeps its name and problem; a thrown non-error stays as it was', () => {
    class ModelFileError extends Error {
      readonly problem = 'not-ours';
      override name = 'ModelFileError';
    }
    const got = roundTrip(new ModelFileError('not-ours')) as Error & { problem?: string };
    expect(got).toBeInstanceOf(Error);
    expect(got.name).toBe('ModelFileError');
    expect(got.problem).toBe('not-ours');
    expect(roundTrip('plain string')).toBe('plain string');
  });
});

describe('through Comlink itself', () => {
  const { port1, port2 } = new MessageChannel();
  afterAll(() => {
    port1.close();
    port2.close();
  });

  it('a call that throws an EngineError on the far side rejects with that EngineError here', async () => {
    useErrorTransport();
    Comlink.expose(
      {
        fail() {
          throw new EngineError('TOO_FEW_SAMPLES', 'Class "cat" has 1 photo(s); each class needs at least 2.', { class: 'cat', count: 1 });
        },
      },
      port1 as unknown as Comlink.Endpoint,
    );
    const remote = Comlink.wrap<{ fail(): void }>(port2 as unknown as Comlink.Endpoint);
    const err = await Promise.resolve(remote.fail()).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('TOO_FEW_SAMPLES');
    expect((err as EngineError).details).toEqual({ class: 'cat', count: 1 });
  });
});
