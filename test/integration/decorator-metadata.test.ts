import { symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, get } from '../helpers/http.js';
import { act, answer, exit, output, watching } from '../helpers/interact.js';
import { REPO_ROOT } from '../helpers/project.js';
import { useSession } from '../helpers/session.js';

const TSCONFIG = '{\n  "compilerOptions": {\n    "emitDecoratorMetadata": true,\n    "experimentalDecorators": true\n  }\n}\n';

describe('a project that needs decorator metadata (NestJS, TypeORM)', () => {
  const session = useSession();

  /**
   * Shaped like `nest new`: CommonJS, a service injected into a controller by its constructor's
   * parameter types (the metadata esbuild drops), a file read via __dirname. No config, no arguments.
   */
  it('a NestJS app answers through dependency injection, serves an edit to its service, and keeps answering through a syntax error', async () => {
    const project = session.project('nest-app');
    // NestJS from the repository's node_modules, as after `npm install` in a real project.
    symlinkSync(path.join(REPO_ROOT, 'node_modules'), project.path('node_modules'), 'dir');
    const port = await freePort();
    const hot = session.run(project, [], { env: { PORT: String(port) } });
    await hot.interact(output(/running src\/main\.ts \(from package\.json scripts\.start: "nest start" and nest-cli\.json\)/), watching(), answer(port, /^Hello World!$/));
    expect(hot.output()).not.toMatch(/emitDecoratorMetadata/);
    expect(JSON.parse(await get(port, '/motd'))).toEqual({ motd: 'read next to the controller', file: project.path('src/app.controller.ts') });

    await hot.interact(
      act('edit the injected service', () => project.replace('src/app.service.ts', 'Hello World!', 'Hello from an edit!')),
      output(/restarting: src\/app\.service\.ts changed/),
      answer(port, /^Hello from an edit!$/),
    );
    await hot.interact(
      act('break the service', () => project.replace('src/app.service.ts', "return 'Hello from an edit!';", "return = 'x';")),
      output(/build failed in \d+ ms, keeping the previous process running/),
      output(/src\/app\.service\.ts:6:\d+/),
    );
    expect(await get(port)).toBe('Hello from an edit!');

    const doctor = session.run(project, ['doctor']);
    const { code } = await doctor.interact(
      output(/ok {4}runs src\/main\.ts in place under node v[\d.]+ \(TypeScript through tsx, decorators through SWC\)/),
      output(/ok {4}decorator metadata: tsconfig\.json sets emitDecoratorMetadata; hot compiles the program's TypeScript with SWC/),
      exit(),
    );
    expect(code).toBe(0);
  });

  it('a stack trace from a decorated class names its .ts line', async () => {
    const project = session.project();
    symlinkSync(path.join(REPO_ROOT, 'node_modules'), project.path('node_modules'), 'dir');
    project.write('tsconfig.json', TSCONFIG);
    project.write('package.json', '{ "type": "module" }\n');
    project.write('src/dep.ts', "export class Dep {\n  name = 'dep';\n}\n");
    project.write(
      'src/main.ts',
      [
        "import 'reflect-metadata';",
        "import { Dep } from './dep.js';",
        'const Injectable = (): ClassDecorator => () => {};',
        '@Injectable()',
        'class Service {',
        '  constructor(readonly dep: Dep) {}',
        '}',
        "const types = Reflect.getMetadata('design:paramtypes', Service) as Array<{ name: string }>;",
        "console.log(`paramtypes: ${types.map((type) => type.name).join(',')}`);",
        "throw new Error('thrown at line 10');",
        '',
      ].join('\n'),
    );
    const hot = session.run(project, ['src/main.ts']);
    await hot.interact(output(/paramtypes: Dep/), output(/src\/main\.ts:10:7/));
  });

  it('a bundle (build.outfile) has no metadata: hot says so at start and in doctor', async () => {
    const project = session.project();
    project.write('tsconfig.json', TSCONFIG);
    project.write('src/main.ts', "console.log('app up');\nsetInterval(() => {}, 1000);\n");
    project.write('.hotrc.toml', '[build]\nentry = "src/main.ts"\noutfile = "dist/main.js"\n');
    const warning = /tsconfig\.json sets emitDecoratorMetadata, which esbuild does not emit into build\.outfile/;
    const hot = session.run(project, []);
    await hot.interact(output(warning), output(/hint: remove outfile under \[build\] so hot runs the source in place/), output(/app up/));

    const doctor = session.run(project, ['doctor']);
    const { code } = await doctor.interact(output(new RegExp(`warn {2}${warning.source}`)), exit());
    expect(code).toBe(0);
  });
});
