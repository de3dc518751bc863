#!/usr/bin/env node
// Build the front-end assets of Learning OS.
//
//   npm run build
//
// Writes (all git-ignored, rebuilt from scratch on every run, so it is idempotent):
//   src/learningos/web/static/dist/app.css      Tailwind, minified
//   src/learningos/web/static/dist/app.js       copy of assets/app.js
//   src/learningos/web/static/dist/learn.js     copy of assets/learn.js (the learning page)
//   src/learningos/web/static/dist/htmx.min.js  from the htmx.org package
//   src/learningos/web/static/dist/swagger/     Swagger UI for /docs
//   src/learningos/web/static/dist/manifest.json  { "dist/app.css": "<sha256 prefix>", ... }
//   src/learningos/web/static/fonts/*.woff2     only the four faces app.css declares
//
// Nothing here touches the network.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const require = createRequire(import.meta.url);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const web = join(root, 'src', 'learningos', 'web');
const assets = join(web, 'assets');
const dist = join(web, 'static', 'dist');
const fonts = join(web, 'static', 'fonts');

const pkgDir = (name) => dirname(require.resolve(`${name}/package.json`));

const FONT_FILES = [
  ['@fontsource/inter', 'inter-latin-400-normal.woff2'],
  ['@fontsource/inter', 'inter-latin-600-normal.woff2'],
  ['@fontsource/inter', 'inter-latin-700-normal.woff2'],
  ['@fontsource/jetbrains-mono', 'jetbrains-mono-latin-400-normal.woff2'],
];

function fail(msg) {
  console.error(`build-assets: ${msg}`);
  process.exit(1);
}

// 1. Clean output folders.
rmSync(dist, { recursive: true, force: true });
rmSync(fonts, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
mkdirSync(fonts, { recursive: true });

// 2. Tailwind CSS (pure-JS CLI of tailwindcss 3.4).
const twPkg = JSON.parse(readFileSync(join(pkgDir('tailwindcss'), 'package.json'), 'utf8'));
const twCli = join(pkgDir('tailwindcss'), typeof twPkg.bin === 'string' ? twPkg.bin : twPkg.bin.tailwindcss);
const tw = spawnSync(
  process.execPath,
  [
    twCli,
    '-c', join(root, 'tailwind.config.js'),
    '-i', join(assets, 'app.css'),
    '-o', join(dist, 'app.css'),
    '--minify',
  ],
  {
    cwd: root,
    stdio: ['ignore', 'inherit', 'pipe'],
    env: { ...process.env, BROWSERSLIST_IGNORE_OLD_DATA: '1', NODE_ENV: 'production' },
  },
);
const twErr = tw.stderr ? tw.stderr.toString() : '';
if (tw.status !== 0) fail(`tailwindcss failed (exit ${tw.status}):\n${twErr}`);
// Tailwind prints "Rebuilding... Done in Nms." on stderr; only show real warnings.
for (const line of twErr.split('\n')) {
  if (line.trim() && !/^(Rebuilding\.\.\.|Done in \d+ms\.)$/.test(line.trim())) console.warn(line);
}

// 3. JavaScript.
copyFileSync(join(pkgDir('htmx.org'), 'dist', 'htmx.min.js'), join(dist, 'htmx.min.js'));
copyFileSync(join(assets, 'app.js'), join(dist, 'app.js'));
copyFileSync(join(assets, 'learn.js'), join(dist, 'learn.js'));
// Swagger UI for the API docs at /docs (served locally, never from a CDN).
mkdirSync(join(dist, 'swagger'), { recursive: true });
for (const file of ['swagger-ui-bundle.js', 'swagger-ui.css']) {
  copyFileSync(join(pkgDir('swagger-ui-dist'), file), join(dist, 'swagger', file));
}

// 4. Fonts: only the faces app.css declares.
for (const [pkg, file] of FONT_FILES) {
  const src = join(pkgDir(pkg), 'files', file);
  if (!existsSync(src)) fail(`missing font ${src}`);
  copyFileSync(src, join(fonts, file));
}

// 5. Sanity checks: no other origin, every font url exists.
const css = readFileSync(join(dist, 'app.css'), 'utf8');
for (const m of css.matchAll(/url\(\s*['"]?([^'")]+)['"]?\s*\)/g)) {
  const url = m[1];
  if (url.startsWith('data:')) continue;
  if (/^(https?:)?\/\//i.test(url)) fail(`app.css refers to another origin: ${url}`);
  if (url.startsWith('/static/')) {
    const file = join(web, 'static', url.slice('/static/'.length));
    if (!existsSync(file)) fail(`app.css refers to ${url}, which the build did not produce`);
  }
}
if (/@import\s/.test(css)) fail('app.css still contains an @import');

// 6. Manifest (content hashes, usable for cache busting) and size report.
const outputs = ['app.css', 'app.js', 'learn.js', 'htmx.min.js'];
const manifest = {};
let totalGz = 0;
console.log('built assets (raw / gzip):');
for (const name of outputs) {
  const buf = readFileSync(join(dist, name));
  manifest[`dist/${name}`] = createHash('sha256').update(buf).digest('hex').slice(0, 12);
  const gz = gzipSync(buf, { level: 9 }).length;
  totalGz += gz;
  console.log(`  ${relative(root, join(dist, name)).padEnd(48)} ${(buf.length / 1024).toFixed(1).padStart(6)} KB / ${(gz / 1024).toFixed(1).padStart(5)} KB`);
}
for (const [, file] of FONT_FILES) {
  const buf = readFileSync(join(fonts, file));
  manifest[`fonts/${file}`] = createHash('sha256').update(buf).digest('hex').slice(0, 12);
}
writeFileSync(join(dist, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`  total CSS+JS gzip: ${(totalGz / 1024).toFixed(1)} KB; fonts: ${FONT_FILES.length} woff2 files`);
