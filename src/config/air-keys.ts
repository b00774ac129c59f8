/**
 * air's .air.toml keys, as a Go developer brings them to .hotrc.toml: for each, hot's key and how
 * the value changes, or that hot has no equivalent. Keys are air's, dotted (`build.include_ext`).
 */
const AIR_KEYS: Record<string, string> = {
  'build.bin': 'in hot it is bin, at the top of the file before any [table]: bin = "./tmp/main"',
  'build.full_bin': 'in hot it is bin, at the top of the file; a line with VAR=value or && runs under a shell',
  'build.args_bin': 'in hot it is run.args, under [run]',
  'build.include_ext': 'in hot it is include, at the top, as globs: include_ext = ["go", "tmpl"] is include = ["**/*.go", "**/*.tmpl"]',
  'build.include_dir': 'in hot it is include, at the top, as directories: include_dir = ["web"] is include = ["web/"]',
  'build.include_file': 'in hot it is include, at the top of the file',
  'build.exclude_dir': 'in hot it is exclude, at the top, with a trailing slash: exclude_dir = ["tmp", "vendor"] is exclude = ["tmp/", "vendor/"]',
  'build.exclude_file': 'in hot it is exclude, at the top of the file',
  'build.exclude_regex': 'in hot it is exclude, at the top, as globs: "_test\\\\.go" is exclude = ["**/*_test.go"]',
  'build.exclude_unchanged': 'in hot it is build.output: a build that leaves that file byte-identical does not restart',
  'build.delay': 'in hot it is delay, at the top of the file (milliseconds, as in air)',
  'build.kill_delay': 'in hot it is run.kill_timeout, under [run]: how long after the stop signal before SIGKILL',
  'build.send_interrupt': 'in hot it is run.kill_signal = "SIGINT", under [run]',
  'build.stop_on_error': 'in hot it is run.stop_on_error, under [run]',
  'build.pre_cmd': 'in hot it is hooks.pre_build, under [hooks] (one command line)',
  'build.post_cmd': 'in hot it is hooks.on_exit, under [hooks]: it runs when hot stops, after the program (hooks.post_build runs after each build)',
  'build.poll': 'in hot it is poll, at the top of the file',
  'build.poll_interval': 'hot polls every 300 ms; there is no setting for it',
  'build.rerun': 'in hot it is restart.on_clean_exit = "restart", under [restart] (the default, "wait", waits for the next change)',
  'build.rerun_delay': 'in hot it is restart.clean_exit_delay, under [restart] (milliseconds, as in air)',
  'build.log': 'hot prints build errors with file:line:col; log_file, at the top of the file, keeps a copy of all hot prints (the program\'s output included, which then has no terminal)',
  'build.follow_symlink': 'hot follows symlinks by itself; there is no setting for it',
  root: 'hot watches the directory of .hotrc.toml; put the file there, or use --config',
  tmp_dir: 'hot has no tmp directory of its own: build.cmd\'s -o says where the binary goes; exclude that directory (exclude = ["tmp/"])',
  testdata_dir: 'in hot it is exclude, at the top: exclude = ["testdata/"]',
  'screen.clear_on_rebuild': 'in hot it is clear, at the top of the file',
  'misc.clean_on_exit': 'hot has no clean_on_exit yet: the binary stays where build.cmd wrote it',
};

/** air's own tables: none of their keys is a hot key, so each is answered from AIR_KEYS. */
export const AIR_TABLES = new Set(['screen', 'misc', 'log', 'color', 'proxy']);

/** What hot calls an .air.toml key, as the end of an "unknown key" message, or null for a key that is not air's. */
export function airKeyHint(key: string): string | null {
  const hint = AIR_KEYS[key];
  if (hint) return `that is air's name (.air.toml); ${hint}`;
  const table = key.split('.')[0]!;
  return AIR_TABLES.has(table) && key !== table ? `that is air's [${table}] table, which hot has no equivalent for` : null;
}
