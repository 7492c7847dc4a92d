// The model client under its first name, for callers outside the engine's files (App.svelte warms it up).
export { model as engine } from './model.svelte';
