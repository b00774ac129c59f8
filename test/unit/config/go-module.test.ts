import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'smol-toml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { detectGoModule, goUserConfig, GO_CONFIG } from '../../../src/config/go-module.js';
import { writeGoConfig } from '../../../src/config/init.js';

describe('detectGoModule', () => {
  let dir: string;
  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  };

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'hot-go-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds go.mod and a main package, naming main.go first', () => {
    write('go.mod', 'module example.com/x\n');
    write('app.go', '// Package main serves.\npackage main\n');
    write('main.go', 'package main\n\nfunc main() {}\n');
    expect(detectGoModule(dir)).toEqual({ reason: 'go.mod and package main in main.go', main: '.' });
  });

  it('finds the main package in cmd/<name>/ when the module\'s directory has none: the one named as the module, and says which others there are', () => {
    write('go.mod', 'module example.com/shop/api\n');
    write('internal/store/store.go', 'package store\n');
    write('cmd/worker/main.go', 'package main\n');
    write('cmd/api/server.go', 'package main\n');
    write('cmd/tools/README.md', 'not go\n');
    expect(detectGoModule(dir)).toEqual({ reason: 'go.mod and package main in cmd/api/server.go; also cmd/worker: set build.cmd to build another', main: './cmd/api' });
    expect(goUserConfig('./cmd/api').build?.cmd).toEqual({ kind: 'argv', argv: ['go', 'build', '-o', './tmp/app', './cmd/api'] });
  });

  it.each([
    ['no go.mod', { 'main.go': 'package main\n' }],
    ['a library module', { 'go.mod': 'module x\n', 'lib.go': 'package lib\n' }],
    ['main only in a test file', { 'go.mod': 'module x\n', 'main_test.go': 'package main\n' }],
    ['main only in a subdirectory other than cmd/', { 'go.mod': 'module x\n', 'server/main.go': 'package main\n' }],
    ['package main only in a comment', { 'go.mod': 'module x\n', 'doc.go': '// not package main\npackage doc\n' }],
  ])('finds nothing with %s', (_name, files: Record<string, string>) => {
    for (const [file, text] of Object.entries(files)) write(file, text);
    expect(detectGoModule(dir)).toBeNull();
  });

  it('writes the Go config, and refuses to overwrite one', () => {
    writeGoConfig(dir);
    expect(readFileSync(path.join(dir, '.hotrc.toml'), 'utf8')).toBe(GO_CONFIG);
    expect(() => writeGoConfig(dir)).toThrow('.hotrc.toml already exists here, not overwriting it');
  });

  it('writes the .env bare hot loads in a Go module into [run] env_file', () => {
    write('.env', 'PORT=8081\n');
    expect(writeGoConfig(dir).envFiles).toEqual(['.env']);
    const source = readFileSync(path.join(dir, '.hotrc.toml'), 'utf8');
    expect(source).toBe(GO_CONFIG.replace('[run]\n', '[run]\nenv_file = [ ".env" ]\n'));
    expect((parse(source) as { run: Record<string, unknown> }).run.env_file).toEqual(['.env']);
  });
});

describe('goUserConfig', () => {
  it('builds into tmp/, runs the binary, watches Go sources and templates, not tests, testdata, vendor or tmp', () => {
    const config = goUserConfig();
    expect(config.build?.cmd).toEqual({ kind: 'argv', argv: ['go', 'build', '-o', './tmp/app', '.'] });
    expect(config.bin).toEqual({ kind: 'argv', argv: ['./tmp/app'] });
    expect(config.include).toEqual(expect.arrayContaining(['**/*.go', '**/*.tmpl', '**/*.html']));
    expect(config.exclude).toEqual(['vendor/', 'testdata/', '**/*_test.go', 'tmp/']);
    // Not build.output: an unchanged binary after a template edit must still restart.
    expect(config.build?.output).toBeUndefined();
  });
});
