// Numbers and dates as Danish readers write them (4,36; 5.280.000 kr.; 27. marts 2023). The CSV
// export keeps the API's machine-readable decimals instead.
import type {
  Archetype,
  Figure,
  FigureReason,
  ForumLevel,
  PlanDecision,
  PlanKind,
  PreventionLevel,
  Source,
} from './api';

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

const DIVISOR: Record<NonNullable<FigureReason['divisor']>, string> = {
  POPULATION: 'indbyggertallet',
  HEADCOUNT: 'antallet af ansatte',
};

/**
 * A reason in Danish, from its code and parameters. The dataset's editorial notes are not part of
 * it (`reasonNotes`): they are the dataset's own words.
 */
export function reasonText(reason: FigureReason): string {
  const count = reason.count ?? 0;
  switch (reason.code) {
    case 'ROUNDED':
      return 'afrundet til 2 decimaler';
    case 'FTE_FROM_WEEKLY_HOURS':
      return '37 timer om ugen = 1 årsværk; afrundet til 2 decimaler';
    case 'HEADCOUNT_NOT_GIVEN':
      return `antal ikke oplyst for: ${reason.roles.join(', ')}`;
    case 'WEEKLY_HOURS_NOT_GIVEN':
      return `ugentlige timer ikke oplyst for: ${reason.roles.join(', ')}`;
    case 'NO_AMOUNTS':
      return `ingen beløb for ${reason.year} i denne kilde`;
    case 'NO_SHARED_AMOUNTS':
      return `ingen beløb for ${reason.year} i de linjer fra denne kilde, der er delt med dig`;
    case 'LINES_WITHOUT_AMOUNT':
      return count === 1 ? '1 linje uden beløb er ikke talt med' : `${count} linjer uden beløb er ikke talt med`;
    case 'POPULATION_UNKNOWN':
      return `indbyggertallet for ${reason.municipality ?? 'kommunen'} er ukendt`;
    case 'POPULATION_NOTE':
      return 'se bemærkningen';
    case 'DIVISOR_UNKNOWN':
      return `${reason.divisor ? DIVISOR[reason.divisor] : 'det, der divideres med,'} er ukendt`;
    case 'DIVISOR_ZERO':
      return `${reason.divisor ? DIVISOR[reason.divisor] : 'det, der divideres med,'} er nul`;
    case 'RECORDS_LEFT_OUT':
      return count === 1
        ? '1 oplysning er ikke delt med dig og er udeladt'
        : `${count} oplysninger er ikke delt med dig og er udeladt`;
    default:
      // UNKNOWN, and codes newer than this page.
      return 'ingen grund oplyst';
  }
}

/** A figure's reasons in Danish, joined; null when it has none (a population's note is shown as
 * the note it is, not as a reason). */
export function reasonsText(figure: Figure): string | null {
  const reasons = figure.reasons.filter((reason) => reason.code !== 'POPULATION_NOTE');
  return reasons.length > 0 ? reasons.map(reasonText).join('; ') : null;
}

/** The dataset's editorial notes a figure's reasons carry (as recorded). */
export function reasonNotes(figure: Figure): string[] {
  return figure.reasons.flatMap((reason) => (reason.note ? [reason.note] : []));
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
