import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureChromium } from '../helpers/chromium.js';
import { freePort, get } from '../helpers/http.js';
import { act, answer, output, until, watching } from '../helpers/interact.js';
import { startLoad } from '../helpers/load.js';
import { linkTypeScript } from '../helpers/project.js';
import { useSession } from '../helpers/session.js';

let browser: Browser;
beforeAll(async () => {
  // On a fresh machine this installs Debian's chromium first (as root), which takes a while.
  browser = await chromium.launch({ executablePath: ensureChromium(), args: ['--no-sandbox', '--disable-gpu'] });
}, 660_000);
afterAll(async () => {
  await browser?.close();
});

describe('browser live reload ([serve] live_reload = true)', () => {
  const session = useSession();

  it('reloads an open page when the new version is ready, and shows a build error over it until it is fixed', async () => {
    const project = session.project('live-page');
    // Port 0: hot's proxy takes a free port and says which.
    project.replace('.hotrc.toml', 'port = 3100', 'port = 0');
    const hot = session.run(project, []);
    const [, portText] = await hot.interact(output(/page ready: hello v1/), output(/started src\/server\.ts on http:\/\/[^:]+:(\d+)/));
    const port = Number(portText);
    expect(await get(port)).toContain('<head><script async src="/__hot/live-reload.js"></script><title>');

    const page = await browser.newPage();
    session.onCleanup(() => page.close());
    let loads = 0;
    page.on('load', () => loads++);
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => document.querySelector('#message')?.textContent === 'hello v1');
    // The page's event stream is open before anything changes.
    await page.waitForFunction(() => (window as unknown as { __hotLiveReload?: EventSource }).__hotLiveReload?.readyState === 1);

    project.write('src/message.ts', "export const message: string = 'hello v2';\n");
    await page.waitForFunction(() => document.querySelector('#message')?.textContent === 'hello v2', null, { timeout: 20_000 });
    expect(loads).toBe(2);

    project.write('src/message.ts', "export const message: string = 'hello v3'\nexport const broken = ;\n");
    await page.waitForSelector('#hot-build-error', { timeout: 20_000 });
    const overlay = await page.textContent('#hot-build-error');
    expect(overlay).toMatch(/src\/message\.ts:2:\d+/);
    // The last good version is still what the page shows under the overlay.
    expect(await page.textContent('#message')).toBe('hello v2');

    project.write('src/message.ts', "export const message: string = 'hello v4';\n");
    await page.waitForFunction(() => document.querySelector('#message')?.textContent === 'hello v4', null, { timeout: 20_000 });
    expect(await page.$('#hot-build-error')).toBeNull();
  });
  // tsc runs at a lower priority: beside the other worker's busy processes its first pass can take a minute.
  it('shows type errors in a panel under the page, which keeps running the new code, until tsc is satisfied', { timeout: 300_000 }, async () => {
    const project = session.project('live-page');
    project.replace('.hotrc.toml', 'port = 3100', 'port = 0');
    project.write('tsconfig.json', JSON.stringify({ compilerOptions: { strict: true, module: 'NodeNext', target: 'ES2022', skipLibCheck: true, types: ['node'] }, include: ['src'] }));
    linkTypeScript(project);
    const hot = session.run(project, []);
    const [, portText] = await hot.interact(output(/started src\/server\.ts on http:\/\/[^:]+:(\d+)/));
    const page = await browser.newPage();
    session.onCleanup(() => page.close());
    await page.goto(`http://127.0.0.1:${portText}/`);
    await page.waitForFunction(() => (window as unknown as { __hotLiveReload?: EventSource }).__hotLiveReload?.readyState === 1);

    project.write('src/message.ts', "export const message: number = 'hello v2';\n");
    // tsc may first check the file caught half written (its own watcher), then again: the panel follows it.
    await page.waitForFunction(() => /src\/message\.ts:1:14 - error TS2322/.test(document.querySelector('#hot-type-errors')?.textContent ?? ''), null, { timeout: 120_000 });
    // Not a failed build: the new version runs, and the build-error overlay stays away.
    await page.waitForFunction(() => document.querySelector('#message')?.textContent === 'hello v2', null, { timeout: 20_000 });
    expect(await page.$('#hot-build-error')).toBeNull();

    project.write('src/message.ts', "export const message: string = 'hello v3';\n");
    await page.waitForFunction(() => document.querySelector('#message')?.textContent === 'hello v3', null, { timeout: 20_000 });
    await page.waitForFunction(() => document.querySelector('#hot-type-errors') === null, null, { timeout: 120_000 });
  });
});

describe('live reload with no serve.port: hot\'s proxy on the port the app listens on', () => {
  const session = useSession();

  it('reloads an open page served from a hard-coded port, and refuses no request across 5 restarts', async () => {
    const project = session.project();
    const port = await freePort();
    project.write(
      'server.mjs',
      [
        "import http from 'node:http';",
        "const VERSION = 'v1';",
        "const server = http.createServer((request, response) => {",
        "  response.setHeader('content-type', 'text/html');",
        "  response.end(`${VERSION} <html><head><title>t</title></head><body><p id=\"version\">${VERSION}</p></body></html>`);",
        '});',
        `server.listen(${port}, () => console.log('listening on', server.address().port));`,
        '',
      ].join('\n'),
    );
    project.write('.hotrc.toml', '[serve]\nlive_reload = true\n');
    const hot = session.run(project, ['server.mjs']);
    await hot.interact(
      // The app is told the port it asked for, though it listens behind hot's proxy.
      output(new RegExp(`listening on ${port}\\b`)),
      output(new RegExp(`serving :${port} through hot's proxy with live reload`)),
      watching(),
      answer(port, /<script async src="\/__hot\/live-reload\.js"><\/script>/),
    );

    const page = await browser.newPage();
    session.onCleanup(() => page.close());
    await page.goto(`http://localhost:${port}/`);
    await page.waitForFunction(() => (window as unknown as { __hotLiveReload?: EventSource }).__hotLiveReload?.readyState === 1);
    const loads = [startLoad(port, { keepAlive: false, clients: 2 }), startLoad(port, { keepAlive: true, clients: 2 })];
    session.onCleanup(() => Promise.all(loads.map((load) => load.stop())));
    for (let version = 2; version <= 6; version++) {
      await hot.interact(
        act(`set v${version}`, () => project.replace('server.mjs', /const VERSION = 'v\d+'/, `const VERSION = 'v${version}'`)),
        output(/restarting: server\.mjs changed/),
        answer(port, new RegExp(`^v${version} `)),
        until(`both loads got v${version}`, () => loads.every((load) => load.progress().versions.has(`v${version}`))),
      );
    }
    await page.waitForFunction(() => document.querySelector('#version')?.textContent === 'v6', null, { timeout: 20_000 });
    const reports = await Promise.all(loads.map((load) => load.stop()));
    for (const report of reports) {
      expect(report.errors).toEqual({});
      expect(report.ok).toBeGreaterThan(0);
    }
  });
});
