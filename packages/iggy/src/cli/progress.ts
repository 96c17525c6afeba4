import type { CliStream } from './io';

/** A progress indicator for long work. */
export interface Progress {
  /** Adds `n` (default 1) to the amount done. */
  advance(n?: number): void;
  /** Clears the bar. */
  done(): void;
}

const BAR_WIDTH = 28;
const REDRAW_MS = 80;

const silent: Progress = Object.freeze({ advance: () => undefined, done: () => undefined });

/**
 * A one-line progress bar on `stream`, drawn only when it is a TTY (otherwise a no-op, so
 * redirected output and logs stay clean). Redraws at most every 80 ms.
 */
export function createProgress(stream: CliStream, label: string, total: number): Progress {
  if (!stream.isTTY || total <= 0) return silent;
  let current = 0;
  let lastDraw = 0;
  const draw = (): void => {
    const ratio = Math.min(1, current / total);
    const filled = Math.round(ratio * BAR_WIDTH);
    const bar = `${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}`;
    stream.write(`\r${label} [${bar}] ${String(Math.floor(ratio * 100)).padStart(3)}% ${current}/${total}`);
  };
  return {
    advance(n = 1) {
      current += n;
      const now = Date.now();
      if (now - lastDraw >= REDRAW_MS || current >= total) {
        lastDraw = now;
        draw();
      }
    },
    done() {
      stream.write('\r\u001b[2K');
    },
  };
}
