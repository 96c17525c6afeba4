import { describe, expect, it } from 'vitest';
import { createProgress } from './progress';

describe('createProgress', () => {
  it('draws only on a TTY, and clears the line when done', () => {
    let piped = '';
    const silent = createProgress({ write: (t: string) => (piped += t) }, 'work', 10);
    silent.advance(10);
    silent.done();
    expect(piped).toBe('');

    let tty = '';
    const bar = createProgress({ isTTY: true, write: (t: string) => (tty += t) }, 'work', 4);
    bar.advance(1);
    bar.advance(3);
    bar.done();
    expect(tty).toContain('\rwork [#######---------------------]  25% 1/4');
    expect(tty).toContain(`[${'#'.repeat(28)}] 100% 4/4`);
    expect(tty.endsWith('\r\u001b[2K')).toBe(true);
  });
});
