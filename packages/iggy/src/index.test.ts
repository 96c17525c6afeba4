import { describe, expect, it } from 'vitest';
import * as api from './index';

describe('public surface', () => {
  it('exports the package marker', () => {
    expect(Object.keys(api).length).toBeGreaterThan(0);
  });
});
