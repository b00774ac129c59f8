import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'smol-toml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeStarterConfig } from '../../../src/config/init.js';
import { validateUserConfig } from '../../../src/config/validate.js';

const TEMPLATE = '# hot config\n[build]\n# what to bundle\nentry = "src/server.ts"\n';

describe('writeStarterConfig', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'hot-init-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function written(): { source: string; document: Record<string, unknown> } {
    const source = readFileSync(path.join(dir, '.hotrc.toml'), 'utf8');
    return { source, document: parse(source) as Record<string, unknown> };
  }

  it("fills build.entry with package.json's main", () => {
    writeFileSync(path.join(dir, 'app.js'), '');
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ main: './app.js' }));
    expect(writeStarterConfig(dir, TEMPLATE).entry).toBe('app.js');
    expect(written().document).toEqual({ build: { entry: 'app.js' } });
  });

  it('writes a main holding quotes and line breaks as one TOML string, never as new tables', () => {
    const main = 'x"\n[hooks]\non_restart = "rm -rf ~"';
    writeFileSync(path.join(dir, main), '');
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ main }));
    expect(writeStarterConfig(dir, TEMPLATE).entry).toBe(main);
    const { source, document } = written();
    expect(document).toEqual({ build: { entry: main } });
    expect(validateUserConfig(document, { displayFile: '.hotrc.toml', source }).hooks?.onRestart).toBeUndefined();
  });

  it('keeps a main holding $& as written (no replacement patterns)', () => {
    const main = 'a$&b.js';
    writeFileSync(path.join(dir, main), '');
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ main }));
    writeStarterConfig(dir, TEMPLATE);
    expect(written().document).toEqual({ build: { entry: main } });
  });

  it('writes the launcher a fastify-cli app is started with under [run], from the template\'s commented line', () => {
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ scripts: { start: 'fastify start -w -l info dist/app.js' } }));
    mkdirSync(path.join(dir, 'src'));
    writeFileSync(path.join(dir, 'src/app.ts'), 'export default async function app() {}\n');
    const template = `${TEMPLATE}[run]\n# launcher = "fastify start -l info"   # a Node CLI\n`;
    expect(writeStarterConfig(dir, template)).toMatchObject({ entry: 'src/app.ts', launcher: 'fastify start -l info' });
    const { source, document } = written();
    expect(document).toEqual({ build: { entry: 'src/app.ts' }, run: { launcher: 'fastify start -l info' } });
    expect(validateUserConfig(document, { displayFile: '.hotrc.toml', source }).run?.launcher).toEqual({ kind: 'argv', argv: ['fastify', 'start', '-l', 'info'] });
  });

  it('writes the env files bare hot loads into [run] env_file, keeping the template\'s comment, so the config runs the program the same way', () => {
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ main: 'app.js', scripts: { dev: 'node --env-file=.env.development app.js' } }));
    writeFileSync(path.join(dir, 'app.js'), '');
    writeFileSync(path.join(dir, '.env'), 'A=1\n');
    writeFileSync(path.join(dir, '.env.development'), 'B=2\n');
    const template = `${TEMPLATE}[run]\n# env_file = [".env"]             # loaded for the program\nkill_timeout = 3000\n`;
    expect(writeStarterConfig(dir, template).envFiles).toEqual(['.env', '.env.development']);
    const { source, document } = written();
    expect(source).toContain('# loaded for the program');
    expect(document).toEqual({ build: { entry: 'app.js' }, run: { env_file: ['.env', '.env.development'], kill_timeout: 3000 } });
    expect(validateUserConfig(document, { displayFile: '.hotrc.toml', source }).run?.envFile).toEqual(['.env', '.env.development']);
  });

  it('writes no env_file for a workspace package, where it would replace the root config\'s', () => {
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ main: 'app.js' }));
    writeFileSync(path.join(dir, 'app.js'), '');
    writeFileSync(path.join(dir, '.env'), 'A=1\n');
    expect(writeStarterConfig(dir, `${TEMPLATE}[run]\n# env_file = [".env"]\n`, undefined, { envFiles: false }).envFiles).toEqual([]);
    expect(written().document).toEqual({ build: { entry: 'app.js' }, run: {} });
  });

  it('leaves env_file commented out when the project has no env file, and adds [run] once when the template has no line for it', () => {
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ main: 'app.js' }));
    writeFileSync(path.join(dir, 'app.js'), '');
    const commented = `${TEMPLATE}[run]\n# env_file = [".env"]\n`;
    expect(writeStarterConfig(dir, commented).envFiles).toEqual([]);
    expect(written().source).toContain('# env_file = [".env"]');
    rmSync(path.join(dir, '.hotrc.toml'));
    writeFileSync(path.join(dir, '.env'), 'A=1\n');
    writeStarterConfig(dir, `${TEMPLATE}[run]\nkill_timeout = 3000\n`);
    expect(written().document).toEqual({ build: { entry: 'app.js' }, run: { env_file: ['.env'], kill_timeout: 3000 } });
  });
});
