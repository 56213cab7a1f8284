// Lets the event loop run between training steps (timers, I/O, a Ctrl-C handler, a browser's
// input and rendering) in any JS runtime, at most once per interval so that fast steps do not
// pay for a turn each.
//
// Which turn: in Node a 0 ms timer (about 1 ms). A MessageChannel message would be cheaper
// (about 13 us) but Node delivers a port's messages in one drain loop that keeps going while
// new ones arrive, so signal handlers were not run for ~1000 turns. Browsers and workers get a
// MessageChannel message (a task of its own, without the 4 ms clamp of nested timers).

/** Milliseconds of work between two turns (latency of a Ctrl-C, frame time of a page). */
const INTERVAL_MS = 50;

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

export class EventLoopTurn {
  private channel: MessageChannel | null = null;
  private resume: (() => void) | null = null;
  private last = now();
  private readonly useTimer = isNode() || typeof MessageChannel === 'undefined';

  /** Resolves after the event loop has had a turn, or at once when one was given recently. */
  async next(): Promise<void> {
    if (now() - this.last < INTERVAL_MS) return;
    await (this.useTimer ? new Promise<void>((r) => setTimeout(r, 0)) : this.message());
    this.last = now();
  }

  private message(): Promise<void> {
    if (this.channel === null) {
      this.channel = new MessageChannel();
      this.channel.port1.onmessage = () => {
        const r = this.resume;
        this.resume = null;
        r?.();
      };
    }
    return new Promise((r) => {
      this.resume = r;
      this.channel!.port2.postMessage(0);
    });
  }

  /** Closes the channel, if one was opened. */
  close(): void {
    this.channel?.port1.close();
    this.channel?.port2.close();
    this.channel = null;
  }
}
