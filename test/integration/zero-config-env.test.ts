import { describe, expect, it } from 'vitest';
import { freePort } from '../helpers/http.js';
import { act, answer, output, watching } from '../helpers/interact.js';
import { useSession } from '../helpers/session.js';

/** A zero-config server that answers with GREETING, read from the environment at start. */
const SERVER = `import http from 'node:http';
const greeting: string = process.env.GREETING ?? '(unset)';
http.createServer((_req, res) => res.end(\`greeting=\${greeting}\`)).listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening'));
`;

describe('.env without a config file', () => {
  const session = useSession();

  it('loads .env for `hot <entry>`, says so once, and restarts with the new value when .env is edited', async () => {
    const project = session.project();
    const port = await freePort();
    project.write('src/server.ts', SERVER);
    project.write('.env', `GREETING=hello\nPORT=${port}\n`);
    const hot = session.run(project, ['src/server.ts']);
    await hot.interact(output(/\[hot\] loading \.env\n/), answer(port, /^greeting=hello$/), watching());
    await hot.interact(
      act('edit .env', () => project.write('.env', `GREETING=bonjour\nPORT=${port}\n`)),
      output(/restarting: \.env changed/),
      answer(port, /^greeting=bonjour$/),
    );
    expect(hot.output().match(/loading \.env/g)).toHaveLength(1);
  });

  it('picks up a .env, then a .hotrc.toml, created while it runs with neither', async () => {
    const project = session.project();
    const port = await freePort();
    project.write('src/server.ts', SERVER);
    const hot = session.run(project, ['src/server.ts'], { env: { PORT: String(port) } });
    await hot.interact(answer(port, /^greeting=\(unset\)$/), watching());
    await hot.interact(act('create .env', () => project.write('.env', 'GREETING=hello\n')), output(/restarting: \.env changed/), answer(port, /^greeting=hello$/));
    await hot.interact(
      act('create .hotrc.toml', () => project.write('.hotrc.toml', '[run]\nenv = { GREETING = "from the config" }\n')),
      output(/restarting: \.hotrc\.toml changed/),
      answer(port, /^greeting=from the config$/),
    );
  });

  it('with bare `hot`, a .hotrc.toml written while it runs takes over from the entry it found', async () => {
    const project = session.project();
    const port = await freePort();
    project.write('src/server.ts', SERVER);
    project.write('src/other.ts', SERVER.replace('greeting=', 'other greeting='));
    const hot = session.run(project, [], { env: { PORT: String(port) } });
    await hot.interact(output(/running src\/server\.ts/), answer(port, /^greeting=\(unset\)$/), watching());
    await hot.interact(
      act('write .hotrc.toml naming another entry', () => project.write('.hotrc.toml', '[build]\nentry = "src/other.ts"\n')),
      output(/restarting: \.hotrc\.toml changed/),
      answer(port, /^other greeting=\(unset\)$/),
    );
  });

  it('lets the real environment win over .env, and loads the files the dev script gives node with --env-file', async () => {
    const project = session.project();
    const port = await freePort();
    project.write('app.mjs', SERVER.replace(': string', ''));
    project.write('.env', 'GREETING=from-dotenv\n');
    project.write('.env.dev', `PORT=${port}\n`);
    project.write('package.json', JSON.stringify({ scripts: { dev: 'node --env-file=.env --env-file .env.dev app.mjs' } }));
    const hot = session.run(project, ['--', 'node', 'app.mjs'], { env: { GREETING: 'from-shell' } });
    await hot.interact(output(/\[hot\] loading \.env, \.env\.dev\n/), answer(port, /^greeting=from-shell$/), watching());
  });

  it('says nothing about env files when there is no .env', async () => {
    const project = session.project();
    const port = await freePort();
    project.write('app.mjs', SERVER.replace(': string', ''));
    const hot = session.run(project, ['--', 'node', 'app.mjs'], { env: { PORT: String(port) } });
    await hot.interact(answer(port, /^greeting=\(unset\)$/), watching());
    expect(hot.output()).not.toMatch(/loading/);
  });

  it('keeps env_file explicit with a config file: .env is not loaded unless it is named', async () => {
    const project = session.project();
    const port = await freePort();
    project.write('app.mjs', SERVER.replace(': string', ''));
    project.write('.env', 'GREETING=hello\n');
    project.write('.hotrc.toml', `bin = "node app.mjs"\n[run]\nenv = { PORT = "${port}" }\n`);
    const hot = session.run(project, []);
    await hot.interact(answer(port, /^greeting=\(unset\)$/), watching());
    expect(hot.output()).not.toMatch(/loading/);
  });
});
