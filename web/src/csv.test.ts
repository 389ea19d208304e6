import { describe, expect, it } from 'vitest';
import { toCsv } from './csv';

describe('CSV', () => {
  it('quotes what needs quoting (RFC 4180)', () => {
    expect(toCsv([['a,b', 'say "hi"', 'two\nlines', 4.36, null]])).toBe('"a,b","say ""hi""","two\nlines",4.36,\r\n');
  });

  it('keeps spreadsheets from running text as a formula, but not negative numbers', () => {
    expect(toCsv([['=HYPERLINK("x")', '+1', '@SUM(A1)', '-23.5', '-x']])).toBe(
      `"'=HYPERLINK(""x"")",'+1,'@SUM(A1),-23.5,'-x\r\n`,
    );
  });
});
