// The engine's own thread: tfjs, the model and every tensor live here, so the page never waits for them.
import * as Comlink from 'comlink';
import { EngineHost } from './host';
import { useErrorTransport } from './errors';

// Errors reach the page with their code and details, so the page can translate them.
useErrorTransport();
Comlink.expose(new EngineHost('worker'));
