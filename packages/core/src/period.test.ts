import { describe, expect, it } from 'vitest';
import { CoreError } from './errors.ts';
import { parsePeriod } from './period.ts';

describe('parsePeriod', () => {
  it.each([
    ['2024', '2024-01-01', '2024-12-31'],
    ['2024-Q1', '2024-01-01', '2024-03-31'],
    ['2024-q4', '2024-10-01', '2024-12-31'],
    ['2024-02', '2024-02-01', '2024-02-29'],
    ['2023-02', '2023-02-01', '2023-02-28'],
    ['2024-04-01/2025-03-31', '2024-04-01', '2025-03-31'],
  ])('%s', (text, start, end) => expect(parsePeriod(text)).toEqual({ start, end }));

  it.each(['24', '2024-13', '2024-Q5', '2025-01-01/2024-01-01', '2024-02-30/2024-03-01', 'last year'])('rejects %s', (text) => {
    expect(() => parsePeriod(text)).toThrowError(CoreError);
  });
});
