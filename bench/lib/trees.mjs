// Generated trees for the large-project scenarios, written with plain synchronous fs calls.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** A node_modules with `packages` packages of `filesPerPackage` files each; returns the file count. */
export function writeNodeModules(root, packages, filesPerPackage) {
  let files = 0;
  for (let p = 0; p < packages; p++) {
    const dir = path.join(root, 'node_modules', `pkg-${p}`);
    mkdirSync(path.join(dir, 'lib'), { recursive: true });
    writeFileSync(path.join(dir, 'package.json'), `{"name":"pkg-${p}","version":"1.0.0","main":"index.js"}\n`);
    writeFileSync(path.join(dir, 'index.js'), `module.exports = require('./lib/f0.js');\n`);
    files += 2;
    for (let f = 0; f < filesPerPackage - 2; f++) {
      writeFileSync(path.join(dir, 'lib', `f${f}.js`), `module.exports = function f${f}(x) { return x + ${f}; };\n`);
      files++;
    }
  }
  return files;
}

/** `dirs` directories of `filesPerDir` small modules under `base`, half .js and half .ts; returns the count. */
export function writeSourceFiles(base, dirs, filesPerDir, firstNumber = 0) {
  let n = firstNumber;
  for (let d = 0; d < dirs; d++) {
    const dir = path.join(base, `d${d}`);
    mkdirSync(dir, { recursive: true });
    for (let f = 0; f < filesPerDir; f++, n++) {
      const text =
        f % 2 === 0
          ? `export const value${n} = ${n};\nexport function f${n}(x) {\n  return x + value${n};\n}\n`
          : `export const value${n}: number = ${n};\nexport function f${n}(x: number): number {\n  return x + value${n};\n}\n`;
      writeFileSync(path.join(dir, `m${f}.${f % 2 === 0 ? 'js' : 'ts'}`), text);
    }
  }
  return n - firstNumber;
}
