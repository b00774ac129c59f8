import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { launcherArguments } from '../../../src/config/launcher.js';
import { ConfigError } from '../../../src/errors.js';

describe('launcherArguments', () => {
  let dir: string;
  beforeEach(() => {
    dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'hot-launcher-')));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** What npm install leaves: the package's script, and a link to it in node_modules/.bin. */
  function install(at: string, command: string, script: string, text = '#!/usr/bin/env node\n'): string {
    const file = path.join(dir, at, 'node_modules', script);
    mkdirSync(path.dirname(file), { recursive: true });
    mkdirSync(path.join(dir, at, 'node_modules/.bin'), { recursive: true });
    writeFileSync(file, text);
    chmodSync(file, 0o755);
    symlinkSync(path.relative(path.join(dir, at, 'node_modules/.bin'), file), path.join(dir, at, 'node_modules/.bin', command));
    return file;
  }

  it("runs the command's script with the entry as its file, before the app's own options after --", () => {
    const script = install('.', 'fastify', 'fastify-cli/cli.js');
    expect(launcherArguments(dir, ['fastify', 'start', '-l', 'info'], '/p/src/app.ts', '.hotrc.toml')).toEqual([script, 'start', '-l', 'info', '/p/src/app.ts']);
    expect(launcherArguments(dir, ['fastify', 'start', '--', '--name', 'x'], '/p/a.ts', '.hotrc.toml')).toEqual([script, 'start', '/p/a.ts', '--', '--name', 'x']);
  });

  it('finds the command where npm scripts would: in a workspace root above the package', () => {
    const script = install('.', 'fastify', 'fastify-cli/cli.js');
    mkdirSync(path.join(dir, 'packages/api'), { recursive: true });
    expect(launcherArguments(path.join(dir, 'packages/api'), ['fastify', 'start'], 'a.ts', '.hotrc.toml')[0]).toBe(script);
  });

  it('says which package to install when the command is missing', () => {
    const missing = (): string[] => launcherArguments(dir, ['fastify', 'start', '-l', 'info'], 'a.ts', '(command line)');
    expect(missing).toThrow(ConfigError);
    expect(missing).toThrow('fastify start needs fastify-cli, which is not installed here (no node_modules/.bin/fastify)');
    try {
      missing();
    } catch (error) {
      expect((error as ConfigError).hint).toBe('npm i -D fastify-cli');
      expect((error as ConfigError).exitCode).toBe(2);
    }
    expect(() => launcherArguments(dir, ['serve-it'], 'a.ts', '.hotrc.toml')).toThrow('.hotrc.toml: run.launcher serve-it is not installed here (no node_modules/.bin/serve-it)');
  });

  it('refuses a command that is not a Node program', () => {
    install('.', 'tool', 'tool/bin/tool', '#!/bin/sh\necho hi\n');
    expect(() => launcherArguments(dir, ['tool'], 'a.ts', '.hotrc.toml')).toThrow('.hotrc.toml: run.launcher tool is not a Node program (node_modules/tool/bin/tool)');
  });
});
