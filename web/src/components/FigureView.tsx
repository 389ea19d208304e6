// One figure with where it comes from: the value (or "Ukendt: <reason>", worded in Danish from the
// API's reason codes), and a button that
// shows its sources (document, date, section) on hover, on focus and on click.
import { useEffect, useId, useState, type ReactNode } from 'react';
import type { Figure, Source } from '../api';
import { date, figureValue, reasonNotes, reasonsText } from '../format';

export interface Origin {
  sources: Source[];
  /** Sections of the sources the figure's records come from. */
  sections: string[];
  /** How the figure was computed, in Danish (from the API's reason codes). */
  computed?: string | null;
  /** The dataset's editorial note, in Danish like the page. */
  note?: string | null;
}

export function SourceNote({ origin, label }: { origin: Origin; label: string }) {
  const [open, setOpen] = useState(false);
  // Escape hides the note even while the pointer rests on it (WCAG 1.4.13), until it leaves.
  const [dismissed, setDismissed] = useState(false);
  const [hovered, setHovered] = useState(false);
  const id = useId();
  const keys = origin.sources.map((s) => s.key).join(', ') || '–';
  useEffect(() => {
    if (!hovered && !open) return;
    const onKeyDown = (event: globalThis.KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      setOpen(false);
      setDismissed(true);
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [hovered, open]);
  const classes = ['source', dismissed ? 'dismissed' : ''].join(' ').trim();
  return (
    <span
      className={classes}
      onMouseEnter={() => setHovered(true)}
      onMouseLeave={() => {
        setHovered(false);
        setDismissed(false);
      }}
      onBlur={() => setDismissed(false)}
    >
      <button
        type="button"
        className="source-toggle"
        aria-expanded={open}
        aria-controls={id}
        aria-label={`Kilde ${keys} for ${label}`}
        onClick={() => {
          setOpen(!open);
          setDismissed(false);
        }}
      >
        Kilde {keys}
      </button>
      <span id={id} className={open ? 'source-popover open' : 'source-popover'} role="note">
        {origin.sources.length === 0 && <span>Ingen kilde oplyst.</span>}
        {origin.sources.map((source) => (
          <span key={source.key} className="source-line">
            <strong>Kilde: {source.key}</strong> – {source.title}
            {source.publisher ? `, ${source.publisher}` : ''}
            {source.date ? `, ${date(source.date)}` : ', udateret'}
          </span>
        ))}
        {origin.sections.length > 0 && (
          <span className="source-line">Afsnit: {origin.sections.join('; ')}</span>
        )}
        {origin.computed && <span className="source-line">Beregning: {origin.computed}</span>}
        {origin.note && (
          <span className="source-line">
            Bemærkning: {origin.note}
          </span>
        )}
      </span>
    </span>
  );
}

export function FigureView({
  figure,
  unit,
  label,
  source,
  sections = [],
}: {
  figure: Figure;
  unit?: string;
  label: string;
  /** The source the figure is given for (a staffing or budget source); else the figure's own. */
  source?: Source | null;
  sections?: string[];
}) {
  const value = figureValue(figure, unit);
  const sources = source ? [source] : figure.sources;
  const reasons = reasonsText(figure);
  const note = reasonNotes(figure).join(' ') || null;
  let shown: ReactNode;
  if (value !== null) {
    shown = <span className="value">{value}</span>;
  } else {
    shown = <span className="unknown">Ukendt: {reasons ?? 'ingen grund oplyst'}</span>;
  }
  const computed = value !== null ? reasons : null;
  return (
    <span className="figure">
      {shown}{' '}
      <SourceNote origin={{ sources, sections: unique(sections), computed, note }} label={label} />
    </span>
  );
}

export function unique(values: string[]): string[] {
  return [...new Set(values.filter((v) => v))];
}
