// Numbers and dates as Danish readers write them (4,36; 5.280.000 kr.; 27. marts 2023). The CSV
// export keeps the API's machine-readable decimals instead.
import type { Archetype, Figure, ForumLevel, PlanDecision, PlanKind, PreventionLevel, Source } from './api';

/** A decimal string of the API ("4.36", "-23.5") in Danish, keeping its decimals. */
export function decimal(value: string): string {
  const number = Number(value);
  if (!Number.isFinite(number)) return value;
  const decimals = value.includes('.') ? value.split('.')[1].length : 0;
  return number.toLocaleString('da-DK', {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  });
}

/** A figure's value: exact, a range ("5,92–7"), or null when unknown. */
export function figureValue(figure: Figure, unit = ''): string | null {
  const suffix = unit ? ` ${unit}` : '';
  if (figure.value !== null) return `${decimal(figure.value)}${suffix}`;
  if (figure.isRange && figure.min !== null && figure.max !== null) {
    return `${decimal(figure.min)}–${decimal(figure.max)}${suffix}`;
  }
  return null;
}

/** Days as Danish readers write them; the API's days are calendar days, read in UTC. */
const DANISH_DAY = new Intl.DateTimeFormat('da-DK', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});

/** "2023-03-27" as "27. marts 2023". */
export function date(iso: string): string {
  const [year, month, day] = iso.split('-').map(Number);
  if (!year || !month || !day) return iso;
  return DANISH_DAY.format(new Date(Date.UTC(year, month - 1, day)));
}

export function sourceLabel(source: Source): string {
  return `${source.key}: ${source.title}${source.date ? ` (${date(source.date)})` : ''}`;
}

export const PREVENTION_LEVEL: Record<PreventionLevel, string> = {
  GENERAL: 'Generel (opbyggende)',
  TARGETED: 'Målrettet (forebyggende)',
  INDIVIDUAL: 'Individrettet (kriminalitetsforebyggende)',
};

export function preventionLevel(level: PreventionLevel | null): string {
  return level ? PREVENTION_LEVEL[level] : 'Niveau ikke oplyst';
}

export const FORUM_LEVEL: Record<ForumLevel, string> = {
  STRATEGIC: 'Strategisk',
  COORDINATING: 'Koordinerende',
  OPERATIONAL: 'Udførende',
};

export const ARCHETYPE: Record<Archetype, string> = {
  CLEAR_LINE_OF_COMMAND: 'En klar ledelsesstreng',
  PROFESSIONAL_PILLARS: 'Faglig organisering',
  INTEGRATED: 'Integreret organisering',
};

/** The order levels are shown in: the prevention triangle from the base up, unknown last. */
export const LEVEL_ORDER: (PreventionLevel | null)[] = ['GENERAL', 'TARGETED', 'INDIVIDUAL', null];

export const PLAN_KIND: Record<PlanKind, string> = {
  STRATEGY: 'Strategi',
  ACTION_PLAN: 'Handleplan',
};

export const PLAN_DECISION: Record<PlanDecision, string> = {
  ADOPTED: 'vedtaget',
  NOTED: 'taget til efterretning',
};

/** The years a plan covers: "2023–2026", "2014", or null when the source gives none. */
export function years(first: number | null, last: number | null): string | null {
  if (first === null && last === null) return null;
  if (first === last || first === null) return String(last);
  return `${first}–${last ?? ''}`;
}
