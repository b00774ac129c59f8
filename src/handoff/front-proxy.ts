import type { JobEvent, PageEvent } from '../events.js';
import { isHotError } from '../errors.js';
import { findPortOwner } from './port-owner.js';
import { formatAddress } from './ports.js';
import { createProxy, type Proxy } from './proxy.js';

/**
 * Live reload for a program whose sockets hot holds (no serve.port): hot's http proxy takes the port
 * of the program's first plain-HTTP server, and each version of the program listens on a private
 * 127.0.0.1 port behind it (the preload moves that one listen() and reports the port; the program is
 * still told the port it asked for). The proxy switches to a version once it is ready, so that port
 * never has two versions answering at once, and it adds the live reload script to HTML pages.
 */
export class FrontProxy {
  readonly #options: { waitTimeoutMs: number; allowedHosts: readonly string[] | 'any' };
  #proxy: Proxy | null = null;
  /** The socket key (`<address|*> <port>`) the proxy stands in for, once the program first listened there. */
  #key: string | null = null;
  readonly #behind = new Map<number, number>();
  /** The version the proxy should route to: activated before it said where it listens (a first start is ready at once). */
  #active: number | null = null;

  constructor(options: { waitTimeoutMs: number; allowedHosts: readonly string[] | 'any' }) {
    this.#options = options;
  }

  /** The proxy could not take the port: later versions listen there themselves, as without it. */
  #failed = false;

  /** What the preload is told to move behind the proxy: the known key, the first HTTP server's, or nothing (failed). */
  get wanted(): string | null {
    if (this.#failed) return null;
    return this.#key ?? 'first';
  }

  /** A version listens behind the proxy on `port`; the first one makes hot open the proxy on `key`. */
  behind(generation: number, key: string, port: number, report: (event: JobEvent) => void): void {
    this.#behind.set(generation, port);
    if (this.#key !== null) {
      if (generation === this.#active) this.activate(generation);
      return;
    }
    this.#key = key;
    const [address, publicPort] = key.split(' ') as [string, string];
    // Every address (`*`) is Node's default for listen(port): the IPv6 any address, dual-stack, or IPv4's where IPv6 is off.
    void this.#open(address === '*' ? ['::', '0.0.0.0'] : [address], Number(publicPort), report).then((shown) => {
      if (shown) report({ type: 'holding', addresses: [formatAddress(address, Number(publicPort))], proxied: true });
    });
    if (generation === this.#active) this.activate(generation);
  }

  /** Listens on the first host that can be had; false (said, and later versions listen themselves) when none. */
  async #open(hosts: string[], port: number, report: (event: JobEvent) => void): Promise<boolean> {
    for (const [index, host] of hosts.entries()) {
      const proxy = createProxy({ host, port, mode: 'http', waitTimeoutMs: this.#options.waitTimeoutMs, liveReload: true, allowedHosts: this.#options.allowedHosts });
      this.#proxy = proxy;
      if (this.#active !== null) this.activate(this.#active);
      try {
        await proxy.listen();
        return true;
      } catch (error) {
        await proxy.close();
        this.#proxy = null;
        const code = isHotError(error) ? (error.cause as NodeJS.ErrnoException | undefined)?.code : undefined;
        if ((code === 'EAFNOSUPPORT' || code === 'EADDRNOTAVAIL') && index < hosts.length - 1) continue;
        this.#failed = true;
        if (code === 'EADDRINUSE') report({ type: 'port-taken', port, owner: findPortOwner(port) });
        else report({ type: 'internal-error', error });
        return false;
      }
    }
    return false;
  }

  activate(generation: number): void {
    this.#active = generation;
    const port = this.#behind.get(generation);
    if (port !== undefined) this.#proxy?.route({ generation, host: '127.0.0.1', port });
  }

  starting(): void {
    this.#proxy?.expect();
  }

  vacate(): void {
    this.#active = null;
    this.#proxy?.pause();
  }

  retired(generation: number): void {
    this.#behind.delete(generation);
    this.#proxy?.retire(generation);
  }

  unavailable(reason: string): void {
    this.#proxy?.fail(reason);
  }

  announce(event: PageEvent): void {
    this.#proxy?.announce(event);
  }

  async close(): Promise<void> {
    await this.#proxy?.close();
  }
}
