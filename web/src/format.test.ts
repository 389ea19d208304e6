import { describe, expect, it } from 'vitest';
import type { Figure, FigureReason } from './api';
import { date, decimal, figureValue, reasonNotes, reasonText, reasonsText } from './format';

const figure = (fields: Partial<Figure>): Figure => ({
  value: null,
  min: null,
  max: null,
  isKnown: true,
  isRange: false,
  reasons: [],
  hiddenRecords: 0,
  sources: [],
  ...fields,
});

const reason = (code: FigureReason['code'], fields: Partial<FigureReason> = {}): FigureReason => ({
  code,
  roles: [],
  year: null,
  count: null,
  divisor: null,
  municipality: null,
  note: null,
  ...fields,
});

describe('reasons in Danish', () => {
  it('words every code with its parameters', () => {
    expect(reasonText(reason('WEEKLY_HOURS_NOT_GIVEN', { roles: ['Leder', 'SSP-konsulent'] }))).toBe(
      'ugentlige timer ikke oplyst for: Leder, SSP-konsulent',
    );
    expect(reasonText(reason('HEADCOUNT_NOT_GIVEN', { roles: ['Gadeteam'] }))).toBe('antal ikke oplyst for: Gadeteam');
    expect(reasonText(reason('ROUNDED'))).toBe('afrundet til 2 decimaler');
    expect(reasonText(reason('FTE_FROM_WEEKLY_HOURS'))).toBe('37 timer om ugen = 1 årsværk; afrundet til 2 decimaler');
    expect(reasonText(reason('NO_AMOUNTS', { year: 2023 }))).toBe('ingen beløb for 2023 i denne kilde');
    expect(reasonText(reason('NO_SHARED_AMOUNTS', { year: 2023 }))).toContain('delt med dig');
    expect(reasonText(reason('LINES_WITHOUT_AMOUNT', { count: 1 }))).toBe('1 linje uden beløb er ikke talt med');
    expect(reasonText(reason('LINES_WITHOUT_AMOUNT', { count: 3 }))).toBe('3 linjer uden beløb er ikke talt med');
    expect(reasonText(reason('POPULATION_UNKNOWN', { municipality: 'Vallensbæk' }))).toBe(
      'indbyggertallet for Vallensbæk er ukendt',
    );
    expect(reasonText(reason('DIVISOR_UNKNOWN', { divisor: 'POPULATION' }))).toBe('indbyggertallet er ukendt');
    expect(reasonText(reason('DIVISOR_ZERO', { divisor: 'HEADCOUNT' }))).toBe('antallet af ansatte er nul');
    expect(reasonText(reason('RECORDS_LEFT_OUT', { count: 1 }))).toBe('1 oplysning er ikke delt med dig og er udeladt');
    expect(reasonText(reason('RECORDS_LEFT_OUT', { count: 2 }))).toBe('2 oplysninger er ikke delt med dig og er udeladt');
    expect(reasonText(reason('UNKNOWN'))).toBe('ingen grund oplyst');
  });

  it('joins a figure\'s reasons and keeps the dataset\'s notes apart', () => {
    const unknown = figure({
      isKnown: false,
      reasons: [
        reason('POPULATION_UNKNOWN', { municipality: 'Vallensbæk', note: 'Not given in the seed documents.' }),
        reason('RECORDS_LEFT_OUT', { count: 2 }),
      ],
    });
    expect(reasonsText(unknown)).toBe(
      'indbyggertallet for Vallensbæk er ukendt; 2 oplysninger er ikke delt med dig og er udeladt',
    );
    expect(reasonNotes(unknown)).toEqual(['Not given in the seed documents.']);
    const noted = figure({ value: '27500', reasons: [reason('POPULATION_NOTE', { note: 'Rounded figure.' })] });
    expect(reasonsText(noted)).toBeNull();
    expect(reasonNotes(noted)).toEqual(['Rounded figure.']);
    expect(reasonsText(figure({ value: '1' }))).toBeNull();
  });
});

describe('Danish numbers', () => {
  it('keeps the decimals the API gives', () => {
    expect(decimal('4.36')).toBe('4,36');
    expect(decimal('0.80')).toBe('0,80');
    expect(decimal('105.60')).toBe('105,60');
    expect(decimal('12')).toBe('12');
    expect(decimal('-23.5')).toBe('-23,5');
    expect(decimal('5280000.00')).toBe('5.280.000,00');
  });

  it('shows a range where hours are ranges, and nothing for an unknown', () => {
    expect(figureValue(figure({ value: '105.60' }), 'kr.')).toBe('105,60 kr.');
    expect(figureValue(figure({ min: '5.92', max: '7', isRange: true }))).toBe('5,92–7');
    expect(figureValue(figure({ isKnown: false, reasons: [reason('WEEKLY_HOURS_NOT_GIVEN', { roles: ['Leder'] })] }))).toBeNull();
  });

  it('writes dates as Danish readers do', () => {
    expect(date('2023-03-27')).toBe('27. marts 2023');
    expect(date('2019-09-01')).toBe('1. september 2019');
    expect(date('2023-12-31')).toBe('31. december 2023');
    expect(date('not a day')).toBe('not a day');
  });
});
