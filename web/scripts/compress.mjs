// After `vite build`: a `.br` and a `.gz` beside each text asset of dist/assets, compressed once
// at the highest levels (too slow to do per request), which the server sends to clients that
// accept them. Files that compression does not shrink by a tenth get no sibling. Node's own zlib;
// nothing to install.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const ASSETS = join(import.meta.dirname, '..', 'dist', 'assets');
const TEXT = /\.(js|mjs|css|html|svg|json|map|txt|ttf|wasm)$/;
const MIN_BYTES = 1024;

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (TEXT.test(entry.name)) yield path;
  }
}

let plain = 0;
let brotli = 0;
let count = 0;
for (const path of files(ASSETS)) {
  const size = statSync(path).size;
  if (size < MIN_BYTES) continue;
  const content = readFileSync(path);
  const br = brotliCompressSync(content, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: size,
    },
  });
  const gz = gzipSync(content, { level: constants.Z_BEST_COMPRESSION });
  if (br.length < size * 0.9) writeFileSync(`${path}.br`, br);
  if (gz.length < size * 0.9) writeFileSync(`${path}.gz`, gz);
  plain += size;
  brotli += Math.min(br.length, size);
  count += 1;
}
const mb = (bytes) => (bytes / 1e6).toFixed(2);
console.log(`compressed ${count} assets: ${mb(plain)} MB, ${mb(brotli)} MB as brotli`);
