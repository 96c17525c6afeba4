import { describe, expect, it } from 'vitest';
import { formatTable } from './table';

describe('formatTable', () => {
  it('aligns columns left or right, pads short rows and trims line ends', () => {
    const text = formatTable(
      [{ header: 'NAME' }, { header: 'COUNT', align: 'right' }, { header: 'NOTE' }],
      [
        ['domain', '1,234', 'ok'],
        ['dlq', '5'],
      ],
    );
    expect(text.split('\n')).toEqual(['NAME    COUNT  NOTE', 'domain  1,234  ok', 'dlq         5']);
  });

  it('measures characters, not UTF-16 units', () => {
    const text = formatTable([{ header: 'T' }, { header: 'N' }], [['🚀x', '1']]);
    expect(text.split('\n')).toEqual(['T   N', '🚀x  1']);
  });
});
