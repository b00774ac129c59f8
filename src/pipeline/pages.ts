import type { Handoff, HotEvent } from '../events.js';
import { formatTypeErrors } from '../ui/report.js';

/**
 * Live reload is one more subscriber of the events: pages hear of builds, of each new version, and
 * of type errors (beside the page; with types = "block" they arrive as the build's error instead).
 */
export function pageAnnouncer(handoff: Handoff, cwd: string): (event: HotEvent) => void {
  return (event) => {
    if (event.type === 'build-ok') handoff.announce({ type: 'build-ok' });
    else if (event.type === 'build-failed') handoff.announce({ type: 'build-error', text: event.diagnostics });
    else if (event.type === 'ready') handoff.announce({ type: 'reload' });
    else if (event.type === 'types-failed' && !event.blocking) handoff.announce({ type: 'type-errors', text: formatTypeErrors(event.errors, cwd) });
    else if (event.type === 'types-ok' || event.type === 'types-unavailable') handoff.announce({ type: 'types-ok' });
  };
}
