// The engine's own thread: tfjs, the model and every tensor live here, so the page never waits for them.
import * as Comlink from 'comlink';
import { EngineHost } from './host';

Comlink.expose(new EngineHost('worker'));
