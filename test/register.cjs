// Lets mocha and child processes load TypeScript sources directly (esbuild transpile, no type check;
// `npm run typecheck` does that).
const fs = require('node:fs');
const esbuild = require('esbuild');
require.extensions['.ts'] = (module, filename) => {
  const { code } = esbuild.transformSync(fs.readFileSync(filename, 'utf8'), {
    loader: 'ts',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    sourcefile: filename,
  });
  module._compile(code, filename);
};
