import { describe, expect, it } from 'vitest';
import { exit, output } from '../helpers/interact.js';
import { useSession } from '../helpers/session.js';

const TSCONFIG = '{\n  "compilerOptions": {\n    "emitDecoratorMetadata": true,\n    "experimentalDecorators": true\n  }\n}\n';
const WARNING = /tsconfig\.json sets emitDecoratorMetadata, which hot's TypeScript loader \(tsx\) and esbuild do not emit/;

describe('a project that needs decorator metadata (NestJS, TypeORM)', () => {
  const session = useSession();

  it('is told at start, and by hot doctor, instead of failing silently', async () => {
    const project = session.project();
    project.write('tsconfig.json', TSCONFIG);
    project.write('src/main.ts', "console.log('app up');\nsetInterval(() => {}, 1000);\n");
    const hot = session.run(project, ['src/main.ts']);
    await hot.interact(output(WARNING), output(/hint: until hot emits it, build with the project's own compiler/), output(/app up/));

    project.write('.hotrc.toml', '[build]\nentry = "src/main.ts"\n');
    const doctor = session.run(project, ['doctor']);
    const { code } = await doctor.interact(output(/warn {2}tsconfig\.json sets emitDecoratorMetadata/), exit());
    expect(code).toBe(0);
  });
});
