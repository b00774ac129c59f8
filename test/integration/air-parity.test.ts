import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { act, exit, output, until, watching } from '../helpers/interact.js';
import { freePort } from '../helpers/http.js';
import { useSession } from '../helpers/session.js';

/**
 * What an air user relies on, in hot's words: a command when hot exits (air's post_cmd is
 * hooks.on_exit), a restart after a clean exit (rerun / rerun_delay are restart.on_clean_exit /
 * clean_exit_delay), and the build command's own environment (build.env).
 */
describe('air parity', () => {
  const session = useSession();

  it('hooks.on_exit runs when hot stops, once the program is gone, with the program\'s environment', async () => {
    const project = session.project();
    project.write('app.js', "require('fs').writeFileSync('app.pid', String(process.pid));\nsetInterval(() => {}, 1000);\n");
    project.write(
      'on-exit.js',
      [
        "const fs = require('fs');",
        "const pid = Number(fs.readFileSync('app.pid', 'utf8'));",
        'let alive = true;',
        'try { process.kill(pid, 0); } catch { alive = false; }',
        "fs.writeFileSync('exit-hook.txt', `${process.env.HOT_HOOK} app ${alive ? 'still running' : 'gone'} ${process.env.STAGE}`);",
        '',
      ].join('\n'),
    );
    project.write('.hotrc.toml', 'bin = "node app.js"\n[run]\nenv = { STAGE = "dev" }\n[hooks]\non_exit = "node on-exit.js"\n');
    const hot = session.run(project, []);
    await hot.interact(output(/started node app\.js/), watching(), until('the app wrote its pid', () => existsSync(project.path('app.pid'))));
    const { code } = await hot.interact(act('Ctrl-C', () => hot.signal('SIGINT')), exit());
    expect(code).toBe(130);
    expect(project.read('exit-hook.txt')).toBe('on_exit app gone dev');
  });

  it('restart.on_clean_exit = "restart" starts a program that exited with code 0 again, not as a crash', async () => {
    const project = session.project();
    project.write('app.js', "require('fs').appendFileSync('runs.log', 'run\\n');\nsetTimeout(() => process.exit(0), 50);\n");
    project.write('.hotrc.toml', 'bin = "node app.js"\n[restart]\non_clean_exit = "restart"\nclean_exit_delay = 100\n');
    const hot = session.run(project, []);
    await hot.interact(
      output(/app exited cleanly, starting it again in 100 ms \(on_clean_exit = "restart"\)/),
      output(/restarting after a clean exit/),
      until('it ran three times', () => existsSync(project.path('runs.log')) && project.read('runs.log').split('\n').filter(Boolean).length >= 3),
    );
    expect(hot.output()).not.toMatch(/crash|waiting for changes/);
  });

  it('build.env reaches build.cmd and the build hooks, not the program; [run] env reaches the program, not the build', async () => {
    const project = session.project();
    project.write('build.js', "require('fs').mkdirSync('dist', { recursive: true });\nrequire('fs').writeFileSync('dist/mode.txt', `${process.env.BUILD_MODE} ${process.env.APP_MODE ?? '-'}`);\n");
    project.write('app.js', "console.log(`app sees build ${require('fs').readFileSync('dist/mode.txt', 'utf8')}, BUILD_MODE ${process.env.BUILD_MODE ?? '-'}, APP_MODE ${process.env.APP_MODE}`);\nsetInterval(() => {}, 1000);\n");
    project.write(
      '.hotrc.toml',
      [
        'include = ["app.js", "build.js"]',
        'bin = "node app.js"',
        '[build]',
        'cmd = "node build.js"',
        'output = "dist"',
        'env = { BUILD_MODE = "fast" }',
        '[run]',
        'env = { APP_MODE = "dev" }',
        '[hooks]',
        'post_build = \'echo "post_build sees $BUILD_MODE"\'',
        '',
      ].join('\n'),
    );
    const hot = session.run(project, []);
    await hot.interact(output(/post_build sees fast/), output(/app sees build fast -, BUILD_MODE -, APP_MODE dev/));
  });

  it('hooks.on_restart runs once the program listens, for a program hot sees as started when it runs', async () => {
    const project = session.project();
    const port = await freePort();
    project.write(
      'app.py',
      ['import http.server, time', "VERSION = 'v1'", '# Slow to listen, as a Go server that connects to its database first.', 'time.sleep(0.8)', 'class H(http.server.BaseHTTPRequestHandler):', '    def do_GET(self):', '        self.send_response(200)', '        self.end_headers()', "        self.wfile.write(VERSION.encode())", '    def log_message(self, *args):', '        pass', `http.server.HTTPServer(('127.0.0.1', ${port}), H).serve_forever()`, ''].join('\n'),
    );
    project.write('ask.js', `require('http').get('http://127.0.0.1:${port}/', (r) => { let b = ''; r.on('data', (d) => (b += d)); r.on('end', () => require('fs').appendFileSync('hook.log', b + '\\n')); }).on('error', (e) => require('fs').appendFileSync('hook.log', 'error ' + e.code + '\\n'));\n`);
    project.write('.hotrc.toml', 'include = ["app.py"]\nbin = "python3 app.py"\n[hooks]\non_restart = "node ask.js"\n');
    const hot = session.run(project, []);
    await hot.interact(output(/started python3 app\.py/), watching(), until('the hook asked v1', () => existsSync(project.path('hook.log')) && project.read('hook.log')));
    await hot.interact(
      act('set v2', () => project.replace('app.py', "VERSION = 'v1'", "VERSION = 'v2'")),
      until('the hook asked v2', () => project.read('hook.log').split('\n').filter(Boolean).length >= 2),
    );
    expect(project.read('hook.log')).toBe('v1\nv2\n');
  });

  it('log_file gets hot\'s lines, a failed build\'s output and the program\'s, without colours, and is emptied at the next start', async () => {
    const project = session.project();
    project.write('app.js', "console.log('\\u001b[32mapp says hi\\u001b[0m');\nsetInterval(() => {}, 1000);\n");
    project.write('build.js', "if (require('fs').readFileSync('app.js', 'utf8').includes('broken')) { console.error('app.js:3:1: broken on purpose'); process.exit(1); }\n");
    project.write('.hotrc.toml', 'include = ["app.js"]\nbin = "node app.js"\nlog_file = "logs/hot.log"\n[build]\ncmd = "node build.js"\n');
    const first = session.run(project, []);
    await first.interact(
      output(/app says hi/),
      watching(),
      act('break the build', () => project.write('app.js', `${project.read('app.js')}// broken\n`)),
      output(/build failed/),
      until('the log has the failure', () => project.read('logs/hot.log').includes('broken on purpose')),
    );
    const log = project.read('logs/hot.log');
    expect(log).toMatch(/^\[hot\] started node app\.js/m);
    expect(log).toMatch(/^app says hi$/m);
    expect(log).toMatch(/build failed in \d+ ms, keeping the previous process running/);
    expect(log).not.toContain('\u001b');
    await first.interact(act('Ctrl-C', () => first.signal('SIGINT')), exit());

    project.write('app.js', "console.log('app says hello');\nsetInterval(() => {}, 1000);\n");
    const second = session.run(project, []);
    await second.interact(output(/app says hello/), until('the log has the new start', () => project.read('logs/hot.log').includes('app says hello')));
    expect(project.read('logs/hot.log')).not.toContain('broken on purpose');
  });

  it('build.env without build.cmd is answered with where the variables go', async () => {
    const project = session.project();
    project.write('app.js', 'setInterval(() => {}, 1000);\n');
    project.write('.hotrc.toml', 'bin = "node app.js"\n[build]\nenv = { CGO_ENABLED = "0" }\n');
    const hot = session.run(project, []);
    expect((await hot.interact(exit())).code).toBe(2);
    expect(hot.output()).toMatch(/\.hotrc\.toml:3: build\.env is the environment of build\.cmd: set build\.cmd, or put the variables under \[run\] env for the program/);
  });
});
