import type { Handoff, HotEvent } from '../events.js';

/** Live reload is one more subscriber of the events: pages hear of builds and of each new version. */
export function pageAnnouncer(handoff: Handoff): (event: HotEvent) => void {
  return (event) => {
    if (event.type === 'build-ok') handoff.announce({ type: 'build-ok' });
    else if (event.type === 'build-failed') handoff.announce({ type: 'build-error', text: event.diagnostics });
    else if (event.type === 'ready') handoff.announce({ type: 'reload' });
  };
}
