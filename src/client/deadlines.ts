/**
 * Many call timeouts, one timer per timeout length. A burst of 256 runs would otherwise arm and
 * clear 256 timers (about 2 ms of a 25 ms burst on the page), and a caller running one request
 * after another would arm and clear one per call.
 *
 * Timeouts of the same length expire in the order they were armed, so each length keeps a FIFO
 * line and one timer, set for the oldest live entry. Cancelling only marks an entry dead (and
 * drops dead entries from the front); the timer is left alone, and when it fires with nothing
 * due it re-arms for the new front or, with the line empty, ends. So a steady stream of calls
 * costs one timer per timeout length, and timeouts fire exactly when due, never early.
 */
interface Entry {
  due: number;
  fire: () => void;
  live: boolean;
}

interface Line {
  entries: Entry[];
  head: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export class Deadlines {
  private readonly lines = new Map<number, Line>();

  /** Call `fire` once `ms` have passed, unless the returned function is called first. */
  add(ms: number, fire: () => void): () => void {
    let line = this.lines.get(ms);
    if (!line) {
      line = { entries: [], head: 0, timer: undefined };
      this.lines.set(ms, line);
    }
    const entry: Entry = { due: performance.now() + ms, fire, live: true };
    line.entries.push(entry);
    if (line.timer === undefined) this.arm(ms, line, ms);
    const l = line;
    return () => {
      if (!entry.live) return;
      entry.live = false;
      dropDeadHead(l);
    };
  }

  /** Timers currently armed, one at most per timeout length (for tests). */
  get armed(): number {
    let n = 0;
    for (const line of this.lines.values()) if (line.timer !== undefined) n++;
    return n;
  }

  private arm(ms: number, line: Line, delay: number): void {
    line.timer = setTimeout(() => this.expire(ms, line), Math.max(0, delay));
  }

  private expire(ms: number, line: Line): void {
    line.timer = undefined;
    const now = performance.now();
    while (line.head < line.entries.length) {
      const e = line.entries[line.head]!;
      if (e.live && e.due > now) break;
      line.head++;
      if (e.live) {
        e.live = false;
        e.fire();
      }
    }
    dropDeadHead(line);
    const next = line.entries[line.head];
    // A fired callback may have armed the line again (a new call with the same timeout).
    if (line.timer !== undefined) return;
    if (next) this.arm(ms, line, next.due - now);
    else if (this.lines.get(ms) === line) this.lines.delete(ms);
  }
}

/** Skip cancelled entries at the front; forget the consumed prefix now and then. */
function dropDeadHead(line: Line): void {
  while (line.head < line.entries.length && !line.entries[line.head]!.live) line.head++;
  if (line.head === line.entries.length) {
    line.entries = [];
    line.head = 0;
  } else if (line.head >= 1024 && line.head * 2 >= line.entries.length) {
    line.entries = line.entries.slice(line.head);
    line.head = 0;
  }
}
