/** Lesson YAML is compiled to plain data at build time (scripts/vite-plugin-lessons.ts). */
declare module '*.yaml' {
  const data: unknown;
  export default data;
}
