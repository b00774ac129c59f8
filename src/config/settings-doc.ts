import { SETTINGS } from './schema.js';

/** The README's table of settings, rendered from the one settings table so the two cannot drift. */
export function renderSettingsTable(): string {
  const rows = SETTINGS.filter((setting) => setting.type !== 'table').map((setting) => {
    const key = setting.key ? `\`${setting.key}\`` : '';
    const flag = setting.flag ? `\`--${setting.flag}\`` : '';
    const fallback = isProse(setting.defaultText) ? setting.defaultText : setting.defaultText ? `\`${setting.defaultText}\`` : '';
    return `| ${key} | ${flag} | ${setting.description.replace(/\|/g, '\\|')} | ${fallback} |`;
  });
  return ['| key | flag | what it does | default |', '|---|---|---|---|', ...rows].join('\n');
}

/** Defaults like "a cache file under …" read as words; values like `100` or `SIGTERM` as code. */
function isProse(text: string): boolean {
  return /\s/.test(text) && !text.includes('<');
}
