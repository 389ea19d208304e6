// Choosing what to compare: municipalities (by name or code, or a whole network) and a date.
import { useId, useState } from 'react';
import type { Chooser as ChooserData } from '../api';

export function MunicipalityChooser({
  data,
  selected,
  onChange,
}: {
  data: ChooserData;
  selected: number[];
  onChange: (codes: number[]) => void;
}) {
  const [search, setSearch] = useState('');
  const searchId = useId();
  const names = new Map(data.municipalities.nodes.map((m) => [m.code, m.name]));
  const needle = search.trim().toLowerCase();
  const shown = [...data.municipalities.nodes]
    .sort((a, b) => a.name.localeCompare(b.name, 'da'))
    .filter((m) => !needle || m.name.toLowerCase().includes(needle) || String(m.code).startsWith(needle));
  const toggle = (code: number, on: boolean) =>
    onChange(on ? [...selected.filter((c) => c !== code), code] : selected.filter((c) => c !== code));
  return (
    <fieldset className="chooser">
      <legend>Kommuner</legend>
      <label htmlFor={searchId}>Søg på navn eller kommunekode</label>
      <input
        id={searchId}
        type="search"
        value={search}
        onChange={(e) => setSearch(e.target.value)}
        autoComplete="off"
        aria-describedby={`${searchId}-count`}
      />
      <p id={`${searchId}-count`} className="muted" aria-live="polite">
        {shown.length} af {data.municipalities.nodes.length} kommuner vist
      </p>
      <ul className="municipality-list">
        {shown.map((m) => (
          <li key={m.code}>
            <label>
              <input
                type="checkbox"
                checked={selected.includes(m.code)}
                onChange={(e) => toggle(m.code, e.target.checked)}
              />{' '}
              {m.name} <span className="muted">({m.code})</span>
            </label>
          </li>
        ))}
      </ul>
      <div className="networks">
        <span id={`${searchId}-networks`}>Vælg et helt netværk:</span>
        <ul aria-labelledby={`${searchId}-networks`}>
          {data.networks.nodes.map((n) => (
            <li key={n.id}>
              <button type="button" onClick={() => onChange(n.members.map((m) => m.code))}>
                {n.name} ({n.members.length})
              </button>
            </li>
          ))}
        </ul>
      </div>
      <p className="selected">
        <span>Valgt: </span>
        {selected.length === 0 ? 'ingen' : selected.map((code) => names.get(code) ?? code).join(', ')}{' '}
        {selected.length > 0 && (
          <button type="button" onClick={() => onChange([])}>
            Ryd valget
          </button>
        )}
      </p>
    </fieldset>
  );
}

export const FIRST_YEAR = 2010;
export const LAST_YEAR = new Date().getFullYear();

export function DateChooser({ asOf, onChange }: { asOf: string; onChange: (asOf: string) => void }) {
  const id = useId();
  const year = Number(asOf.slice(0, 4));
  return (
    <fieldset className="date-chooser">
      <legend>Dato</legend>
      <p className="muted" id={`${id}-help`}>
        Organisationen, som kilderne beskriver den på denne dag.
      </p>
      <label htmlFor={`${id}-date`}>Dato</label>
      <input
        id={`${id}-date`}
        type="date"
        value={asOf}
        min={`${FIRST_YEAR}-01-01`}
        max={`${LAST_YEAR}-12-31`}
        aria-describedby={`${id}-help`}
        onChange={(e) => e.target.value && onChange(e.target.value)}
      />
      <label htmlFor={`${id}-year`}>År (1. juli)</label>
      <input
        id={`${id}-year`}
        type="range"
        min={FIRST_YEAR}
        max={LAST_YEAR}
        step={1}
        value={Math.min(Math.max(year, FIRST_YEAR), LAST_YEAR)}
        aria-valuetext={`${year}`}
        onChange={(e) => onChange(`${e.target.value}-07-01`)}
      />
      <output htmlFor={`${id}-year`}>{year}</output>
    </fieldset>
  );
}
