import { describe, expect, it } from 'vitest';
import type { Figure } from './api';
import { date, decimal, figureValue } from './format';

const figure = (fields: Partial<Figure>): Figure => ({
  value: null,
  min: null,
  max: null,
  isKnown: true,
  isRange: false,
  reason: null,
  hiddenRecords: 0,
  sources: [],
  ...fields,
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
    expect(figureValue(figure({ isKnown: false, reason: 'weekly hours not given' }))).toBeNull();
  });

  it('writes dates as Danish readers do', () => {
    expect(date('2023-03-27')).toBe('27. marts 2023');
    expect(date('2019-09-01')).toBe('1. september 2019');
    expect(date('2023-12-31')).toBe('31. december 2023');
    expect(date('not a day')).toBe('not a day');
  });
});
