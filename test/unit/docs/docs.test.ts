import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { FILE_SETTINGS } from '../../../src/config/schema.js';
import { renderSettingsTable } from '../../../src/config/settings-doc.js';
import { validateUserConfig } from '../../../src/config/validate.js';
import { REPO_ROOT } from '../../helpers/project.js';

const read = (file: string): string => readFileSync(path.join(REPO_ROOT, file), 'utf8');

describe('documentation derived from the settings table', () => {
  it('README shows exactly the rendered settings table', () => {
    const readme = read('README.md');
    const between = /<!-- settings:start -->\n([\s\S]*?)\n<!-- settings:end -->/.exec(readme);
    expect(between, 'README.md needs the settings:start/end markers').not.toBeNull();
    expect(between![1], `paste this table into README.md:\n${renderSettingsTable()}`).toBe(renderSettingsTable());
  });

  it('.hotrc.toml.example is a valid config that mentions every key', () => {
    const example = read('.hotrc.toml.example');
    const document = parse(example) as Record<string, unknown>;
    const config = validateUserConfig(document, { displayFile: '.hotrc.toml.example', source: example });
    expect(config.build?.entry).toBe('src/server.ts');
    // hot init writes it: the program gets no variable that bare `hot` would not give it.
    expect(config.run?.env).toBeUndefined();
    const missing = FILE_SETTINGS.filter((setting) => setting.type !== 'table')
      .map((setting) => setting.key.split('.').pop()!)
      .filter((name) => !new RegExp(`(^|[\\s#{,])${name}\\s*=`, 'm').test(example));
    expect(missing).toEqual([]);
  });
});
