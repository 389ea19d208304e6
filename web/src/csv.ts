// The comparison as CSV (RFC 4180, UTF-8 with a byte order mark so that spreadsheets read æøå):
// one row per figure and source, decimals with a point as the API gives them, an unknown with
// its reason in `bemaerkning`.
import type { Compared, Figure, Source } from './api';
import { PREVENTION_LEVEL, FORUM_LEVEL, reasonsText } from './format';

export const CSV_HEADER = [
  'kommunekode',
  'kommune',
  'dato',
  'maaling',
  'niveau',
  'vaerdi',
  'min',
  'max',
  'enhed',
  'kilde',
  'kildedato',
  'bemaerkning',
];

type Row = (string | number | null | undefined)[];

function figureRow(
  compared: Compared,
  asOf: string,
  measure: string,
  level: string,
  figure: Figure,
  unit: string,
  source: Source | null,
): Row {
  const sources = source ? [source] : figure.sources;
  return [
    compared.municipality.code,
    compared.municipality.name,
    asOf,
    measure,
    level,
    figure.value,
    figure.min,
    figure.max,
    unit,
    sources.map((s) => s.key).join(' '),
    sources.map((s) => s.date ?? '').join(' '),
    figure.isKnown ? '' : `Ukendt: ${reasonsText(figure) ?? 'ingen grund angivet'}`,
  ];
}

export function comparisonRows(comparison: Compared[], asOf: string): Row[] {
  const rows: Row[] = [CSV_HEADER];
  for (const c of comparison) {
    const m = c.municipality;
    rows.push(figureRow(c, asOf, 'Indbyggere', '', c.population, 'personer', null));
    for (const p of c.placements) {
      rows.push([m.code, m.name, asOf, 'Placering', '', p.pathText, '', '', '', p.unit.provenance.source?.key, p.unit.provenance.source?.date, p.committee ? `Udvalg: ${p.committee.name}` : '']);
    }
    for (const s of c.staffing) {
      rows.push(figureRow(c, asOf, 'Ansatte', '', s.headcount, 'personer', s.source));
      rows.push(figureRow(c, asOf, 'Årsværk', '', s.fte, 'årsværk', s.source));
      rows.push(figureRow(c, asOf, 'Ansatte pr. 10.000 indbyggere', '', s.headcountPer10kInhabitants, 'personer', s.source));
      rows.push(figureRow(c, asOf, 'Årsværk pr. 10.000 indbyggere', '', s.ftePer10kInhabitants, 'årsværk', s.source));
      for (const l of s.byPreventionLevel) {
        const level = l.level ? PREVENTION_LEVEL[l.level] : 'ikke oplyst';
        rows.push(figureRow(c, asOf, 'Ansatte', level, l.headcount, 'personer', s.source));
      }
    }
    for (const b of c.budgets) {
      rows.push(figureRow(c, asOf, `Budget ${b.year}`, '', b.total, 'DKK', b.source));
      // Computed from the budget's source and the population's: the figure names both.
      rows.push(figureRow(c, asOf, `Budget ${b.year} pr. indbygger`, '', b.perInhabitant, 'DKK', null));
    }
    for (const f of c.forumsByLevel) {
      rows.push([m.code, m.name, asOf, 'Fora', f.level ? FORUM_LEVEL[f.level] : 'ikke oplyst', f.count, '', '', 'fora', '', '', f.hiddenRecords ? `${f.hiddenRecords} ikke delt` : '']);
    }
    for (const k of c.keyIndicators) {
      const period = [k.periodStart, k.periodEnd].filter((y) => y !== null).join('-');
      rows.push([m.code, m.name, asOf, k.title, period, k.value, '', '', k.unit, k.provenance.source?.key, k.provenance.source?.date, k.finding ?? (k.kind === 'LOWER_BOUND' ? 'mindst' : '')]);
    }
  }
  return rows;
}

/**
 * One CSV field. Text that a spreadsheet would run as a formula (starting with `=`, `+`, `@`, a
 * tab or `-` when it is not a number) gets a leading apostrophe (OWASP, "CSV injection").
 */
function field(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+@\t\r]/.test(text) || (text.startsWith('-') && !Number.isFinite(Number(text)))) {
    text = `'${text}`;
  }
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(rows: Row[]): string {
  return rows.map((row) => row.map(field).join(',')).join('\r\n') + '\r\n';
}
