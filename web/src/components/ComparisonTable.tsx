// The comparison as one table, as the Ishøj working note (002) draws it by hand: one column per
// municipality, one row per aspect. A municipality with several sources lists each source's
// figures, so disagreeing sources are both shown.
import type { ReactNode } from 'react';
import type { Compared, ComparedPlan, KeyIndicator } from '../api';
import { ARCHETYPE, date, decimal, FORUM_LEVEL, LEVEL_ORDER, PLAN_DECISION, PLAN_KIND, preventionLevel, years } from '../format';
import { FigureView, SourceNote, unique } from './FigureView';

interface Row {
  label: string;
  cell: (c: Compared) => ReactNode;
}

const none = (text: string) => <span className="unknown">Ukendt: {text}</span>;

function indicatorValue(k: KeyIndicator): string {
  if (k.kind === 'FINDING' || k.value === null) return k.finding ?? 'uden tal';
  const unit = k.unit === '%' ? ' %' : k.unit ? ` ${k.unit}` : '';
  const value = `${k.kind === 'PERCENT_CHANGE' && !k.value.startsWith('-') ? '+' : ''}${decimal(k.value)}${unit}`;
  return k.kind === 'LOWER_BOUND' ? `mere end ${value}` : value;
}

function period(k: KeyIndicator): string {
  if (k.periodStart === null && k.periodEnd === null) return 'periode ikke oplyst';
  if (k.periodStart === k.periodEnd || k.periodStart === null) return String(k.periodEnd);
  return `${k.periodStart}–${k.periodEnd ?? ''}`;
}

/** "Strategi, 2023–2026; taget til efterretning af Institutions- og Skoleudvalget 31. oktober 2023". */
function planFacts({ plan }: ComparedPlan): string {
  const facts = [plan.kind ? PLAN_KIND[plan.kind] : 'Plan', years(plan.firstYear, plan.lastYear) ?? 'periode ikke oplyst'];
  const decision = plan.decision ? PLAN_DECISION[plan.decision] : null;
  const decided = [decision, plan.decidedBy && `af ${plan.decidedBy}`, plan.decidedOn && date(plan.decidedOn)]
    .filter(Boolean)
    .join(' ');
  return decided ? `${facts.join(', ')}; ${decided}` : facts.join(', ');
}

function staffingRow(
  label: string,
  pick: (s: Compared['staffing'][number]) => Compared['staffing'][number]['headcount'],
  unit?: string,
): Row {
  return {
    label,
    cell: (c) =>
      c.staffing.length === 0 ? (
        none('ingen kilde oplyser bemandingen')
      ) : (
        <ul className="per-source">
          {c.staffing.map((s, i) => (
            <li key={s.source?.key ?? i}>
              <FigureView
                figure={pick(s)}
                unit={unit}
                label={`${label}, ${c.municipality.name}`}
                source={s.source}
                sections={s.staffRoles.map((r) => r.provenance.section)}
              />
            </li>
          ))}
        </ul>
      ),
  };
}

const GROUPS: { title: string; rows: Row[] }[] = [
  {
    title: 'Organisering',
    rows: [
      {
        label: 'Indbyggere',
        cell: (c) => (
          <FigureView
            figure={c.population}
            label={`Indbyggere, ${c.municipality.name}`}
            sections={c.municipality.populationProvenance ? [c.municipality.populationProvenance.section] : []}
          />
        ),
      },
      {
        label: 'Placering (fra toppen af organisationen)',
        cell: (c) =>
          c.placements.length === 0 ? (
            none('kilderne placerer ikke arbejdet på datoen')
          ) : (
            <ul className="per-source">
              {c.placements.map((p) => (
                <li key={p.unit.id}>
                  <span className="path">{p.pathText}</span>{' '}
                  <SourceNote
                    label={`Placering, ${c.municipality.name}`}
                    origin={{
                      sources: p.unit.provenance.source ? [p.unit.provenance.source] : [],
                      sections: [p.unit.provenance.section],
                      note: p.unit.provenance.note,
                    }}
                  />
                </li>
              ))}
            </ul>
          ),
      },
      {
        label: 'Politisk udvalg',
        cell: (c) => {
          const committees = c.placements.filter((p) => p.committee);
          if (committees.length === 0) return none('kilderne nævner ikke et udvalg');
          return (
            <ul className="per-source">
              {committees.map((p) => (
                <li key={p.unit.id}>
                  {p.committee?.name}{' '}
                  {p.committee && (
                    <SourceNote
                      label={`Politisk udvalg, ${c.municipality.name}`}
                      origin={{
                        sources: p.committee.provenance.source ? [p.committee.provenance.source] : [],
                        sections: [p.committee.provenance.section],
                      }}
                    />
                  )}
                </li>
              ))}
            </ul>
          );
        },
      },
      {
        label: 'Kriminalpræventiv plan',
        cell: (c) =>
          c.plans.length === 0 && c.hiddenPlans === 0 ? (
            none('kilderne nævner ingen gældende plan på datoen')
          ) : (
            <ul className="per-source">
              {c.plans.map((p) => (
                <li key={p.plan.id}>
                  <strong>{p.plan.title}</strong> <span className="muted">({planFacts(p)})</span>
                  {p.parts.map((part) => (
                    <div key={part.id} className="muted">
                      Heri: {part.title}
                      {years(part.firstYear, part.lastYear) && ` (${years(part.firstYear, part.lastYear)})`}
                    </div>
                  ))}
                  <div>
                    <FigureView figure={p.goals} unit="mål" label={`Mål, ${p.plan.title}`} />,{' '}
                    <FigureView figure={p.interventions} unit="indsatser" label={`Indsatser, ${p.plan.title}`} />{' '}
                    <SourceNote
                      label={`Plan, ${c.municipality.name}`}
                      origin={{
                        sources: p.plan.provenance.source ? [p.plan.provenance.source] : [],
                        sections: [p.plan.provenance.section],
                        note: p.plan.provenance.note,
                      }}
                    />
                  </div>
                </li>
              ))}
              {c.hiddenPlans > 0 && <li className="muted">+{c.hiddenPlans} ikke delt med dig</li>}
            </ul>
          ),
      },
      {
        label: 'Organiseringstype (002)',
        cell: (c) =>
          c.placements.length === 0 ? (
            none('ingen placering på datoen')
          ) : (
            <ul className="per-source">
              {c.placements.map((p) => (
                <li key={p.unit.id}>
                  {c.placements.length > 1 && <span className="muted">{p.unit.name}: </span>}
                  {p.archetype ? (
                    <>
                      <strong>{ARCHETYPE[p.archetype]}</strong>
                      {p.archetypeNote && (
                        <details className="note">
                          <summary>Begrundelse</summary>
                          {p.archetypeNote}
                        </details>
                      )}
                    </>
                  ) : (
                    // An unknown archetype shows why, as every unknown does.
                    <span className="unknown">
                      Ukendt: {p.archetypeNote ?? 'ingen begrundelse oplyst'}
                    </span>
                  )}
                </li>
              ))}
            </ul>
          ),
      },
    ],
  },
  {
    title: 'Bemanding',
    rows: [
      staffingRow('Ansatte', (s) => s.headcount),
      staffingRow('Årsværk', (s) => s.fte),
      staffingRow('Ansatte pr. 10.000 indbyggere', (s) => s.headcountPer10kInhabitants),
      staffingRow('Årsværk pr. 10.000 indbyggere', (s) => s.ftePer10kInhabitants),
      {
        label: 'Ansatte pr. forebyggelsesniveau',
        cell: (c) =>
          c.staffing.length === 0 ? (
            none('ingen kilde oplyser bemandingen')
          ) : (
            <ul className="per-source">
              {c.staffing.map((s, i) => (
                <li key={s.source?.key ?? i}>
                  <span className="source-key">{s.source?.key ?? '–'}:</span>
                  <ul className="levels">
                    {LEVEL_ORDER.map((level) => {
                      const l = s.byPreventionLevel.find((x) => x.level === level);
                      if (!l) return null;
                      return (
                        <li key={level ?? 'none'}>
                          {preventionLevel(level)}:{' '}
                          <FigureView
                            figure={l.headcount}
                            label={`${preventionLevel(level)}, ${c.municipality.name}`}
                            source={s.source}
                          />
                        </li>
                      );
                    })}
                  </ul>
                </li>
              ))}
            </ul>
          ),
      },
    ],
  },
  {
    title: 'Økonomi, fora og nøgletal',
    rows: [
      {
        label: 'Budget pr. indbygger',
        cell: (c) =>
          c.budgets.length === 0 ? (
            none('ingen kilde oplyser et budget for året')
          ) : (
            <ul className="per-source">
              {c.budgets.map((b, i) => (
                <li key={b.source?.key ?? i}>
                  <FigureView
                    figure={b.perInhabitant}
                    unit="kr."
                    label={`Budget pr. indbygger ${b.year}, ${c.municipality.name}`}
                    sections={b.budgetLines.map((l) => l.provenance.section)}
                  />{' '}
                  <span className="muted">({b.year})</span>
                </li>
              ))}
            </ul>
          ),
      },
      {
        label: 'Budget i alt',
        cell: (c) =>
          c.budgets.length === 0 ? (
            none('ingen kilde oplyser et budget for året')
          ) : (
            <ul className="per-source">
              {c.budgets.map((b, i) => (
                <li key={b.source?.key ?? i}>
                  <FigureView
                    figure={b.total}
                    unit="kr."
                    label={`Budget ${b.year}, ${c.municipality.name}`}
                    source={b.source}
                    sections={b.budgetLines.map((l) => l.provenance.section)}
                  />
                </li>
              ))}
            </ul>
          ),
      },
      {
        label: 'Fora pr. niveau',
        cell: (c) =>
          c.forumsByLevel.length === 0 ? (
            none('kilderne nævner ingen fora på datoen')
          ) : (
            <ul className="per-source">
              {c.forumsByLevel.map((f) => (
                <li key={f.level ?? 'none'}>
                  {f.level ? FORUM_LEVEL[f.level] : 'Niveau ikke oplyst'}: {f.count}
                  {f.hiddenRecords > 0 && (
                    <span className="muted"> (+{f.hiddenRecords} ikke delt med dig)</span>
                  )}{' '}
                  <SourceNote
                    label={`Fora, ${f.level ? FORUM_LEVEL[f.level] : 'niveau ikke oplyst'}, ${c.municipality.name}`}
                    origin={{
                      sources: uniqueSources(f.forums.map((x) => x.provenance.source)),
                      sections: unique(f.forums.map((x) => `${x.name}: ${x.provenance.section}`)),
                    }}
                  />
                </li>
              ))}
            </ul>
          ),
      },
      {
        label: 'Nøgletal',
        cell: (c) =>
          c.keyIndicators.length === 0 ? (
            none('kilderne oplyser ingen nøgletal')
          ) : (
            <ul className="per-source">
              {c.keyIndicators.map((k) => (
                <li key={k.id}>
                  {k.title} ({period(k)}): <strong>{indicatorValue(k)}</strong>{' '}
                  <SourceNote
                    label={`${k.title}, ${c.municipality.name}`}
                    origin={{
                      sources: k.provenance.source ? [k.provenance.source] : [],
                      sections: [k.provenance.section],
                      note: k.provenance.note,
                    }}
                  />
                </li>
              ))}
            </ul>
          ),
      },
      {
        label: 'Kontaktpersoner',
        cell: (c) =>
          c.municipality.contacts.length === 0 ? (
            <span className="muted">Ingen delt med dig</span>
          ) : (
            <ul className="per-source contacts">
              {c.municipality.contacts.map((p) => (
                <li key={p.id}>
                  {p.name}, {p.roleTitle}
                  {p.unit ? ` (${p.unit.name})` : ''}
                  {p.provenance.visibility === 'PRIVATE' && <span className="badge private">Privat</span>}
                </li>
              ))}
            </ul>
          ),
      },
    ],
  },
];

function uniqueSources(sources: (Compared['staffing'][number]['source'])[]) {
  const seen = new Map<string, NonNullable<(typeof sources)[number]>>();
  for (const s of sources) if (s) seen.set(s.key, s);
  return [...seen.values()];
}

export function ComparisonTable({ comparison, caption }: { comparison: Compared[]; caption: string }) {
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label="Sammenligningstabel">
      <table className="comparison">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Emne</th>
            {comparison.map((c) => (
              <th scope="col" key={c.municipality.code} data-code={c.municipality.code}>
                {c.municipality.name} <span className="muted">({c.municipality.code})</span>
              </th>
            ))}
          </tr>
        </thead>
        {GROUPS.map((group) => (
          <tbody key={group.title}>
            <tr className="group">
              <th scope="colgroup" colSpan={comparison.length + 1}>
                {group.title}
              </th>
            </tr>
            {group.rows.map((row) => (
              <tr key={row.label} data-row={row.label}>
                <th scope="row">{row.label}</th>
                {comparison.map((c) => (
                  <td key={c.municipality.code} data-code={c.municipality.code}>
                    {row.cell(c)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        ))}
      </table>
    </div>
  );
}
