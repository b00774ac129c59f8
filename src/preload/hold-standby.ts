/**
 * The held sockets' preload, then the standby's, as one module: what hot adds to a Node program it
 * starts itself with a standby and no `--import` or loader of another (one `--import` in its argv,
 * where the standby's alone would go, and nothing in NODE_OPTIONS). The build bundles it into a single file:
 * Node reaches the program's first line ~3 ms sooner than with two preloads of four files.
 */
import './hold.js';
import './standby.js';
