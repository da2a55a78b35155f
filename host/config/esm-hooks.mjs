// Module hooks for loading a partition config (host/config/load.ts registers them): a config is an
// ES module whatever package surrounds it, and `import ... from "bulkhead"` is this checkout's schema.
//  - "bulkhead" resolves to host/config/types.ts of the bulkhead that loads the config, with or
//    without a node_modules/bulkhead beside the config (`bulkhead init` links one, for the editor);
//  - a .ts or .tsx file outside node_modules is an ES module: tsx would otherwise compile one in a
//    folder without `"type": "module"` to CommonJS, where top-level await and `import` of an ES
//    module fail (`Cannot require() ES Module ... in a cycle`).
// Plain JavaScript: hooks run in Node's loader thread, before any TypeScript loader.
let schema;

export function initialize(data) {
  schema = data.schema;
}

export async function resolve(specifier, context, next) {
  if (specifier === "bulkhead") return next(schema, context);
  const r = await next(specifier, context);
  if (r.url.startsWith("file:") && /\.tsx?$/.test(new URL(r.url).pathname) && !r.url.includes("/node_modules/")) return { ...r, format: "module" };
  return r;
}
