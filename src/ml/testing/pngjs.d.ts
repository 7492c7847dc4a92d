// pngjs ships no types and @types/pngjs is not a dependency; this is the one call the tests use.
declare module 'pngjs' {
  export const PNG: { sync: { read(buffer: Uint8Array): { width: number; height: number; data: Uint8Array } } };
}
