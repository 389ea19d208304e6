// Bar charts of the staffing and budget figures. The drawn chart is for sighted readers only
// (aria-hidden); the table beside it holds the same numbers for everyone, screen readers
// included, and shows the unknowns the chart cannot draw. The drawing is inert: keyboard users
// reach the same numbers in the table.
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Compared, Figure, PreventionLevel } from '../api';
import { decimal, figureValue, LEVEL_ORDER, preventionLevel, reasonsText } from '../format';

/** Colours with at least 3:1 contrast to white and to each other's neighbours. */
const COLOURS = ['#1f4e79', '#2e7d32', '#a14800', '#6a1b9a'];

const number = (value: number) => value.toLocaleString('da-DK', { maximumFractionDigits: 2 });

interface Point {
  label: string;
  figure: Figure;
}

function SingleFigureChart({
  title,
  unit,
  points,
}: {
  title: string;
  unit: string;
  points: Point[];
}) {
  const data = points
    .filter((p) => p.figure.value !== null)
    .map((p) => ({ label: p.label, value: Number(p.figure.value) }));
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      {data.length > 0 && (
        <div className="chart-drawing" aria-hidden="true" inert>
          <ResponsiveContainer width="100%" height={Math.max(120, 44 * data.length + 40)}>
            <BarChart data={data} layout="vertical" margin={{ left: 16, right: 32 }}>
              <CartesianGrid strokeDasharray="3 3" horizontal={false} />
              <XAxis type="number" tickFormatter={number} />
              <YAxis type="category" dataKey="label" width={190} />
              <Tooltip formatter={(value) => number(Number(value))} />
              <Bar dataKey="value" name={title} fill={COLOURS[0]} isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        </div>
      )}
      <table className="chart-table">
        <caption className="visually-hidden">{title} som tabel</caption>
        <thead>
          <tr>
            <th scope="col">Kommune (kilde)</th>
            <th scope="col">{unit}</th>
          </tr>
        </thead>
        <tbody>
          {points.map((p) => (
            <tr key={p.label}>
              <th scope="row">{p.label}</th>
              <td>
                {figureValue(p.figure) ?? (
                  <>
                    Ukendt: {reasonsText(p.figure) ?? 'ingen grund oplyst'}
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

function LevelChart({ comparison }: { comparison: Compared[] }) {
  const rows = comparison.flatMap((c) =>
    c.staffing.map((s) => {
      const byLevel = new Map(s.byPreventionLevel.map((l) => [l.level ?? 'NONE', l]));
      return { label: `${c.municipality.name} (${s.source?.key ?? '–'})`, byLevel };
    }),
  );
  const levels = LEVEL_ORDER.filter((level) =>
    rows.some((r) => r.byLevel.has(level ?? 'NONE')),
  );
  const key = (level: PreventionLevel | null) => level ?? 'NONE';
  const data = rows.map((r) => {
    const point: Record<string, string | number> = { label: r.label };
    for (const level of levels) {
      const value = r.byLevel.get(key(level))?.headcount.value;
      if (value) point[key(level)] = Number(value);
    }
    return point;
  });
  const title = 'Ansatte pr. forebyggelsesniveau';
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      {data.length > 0 && (
        <div className="chart-drawing" aria-hidden="true" inert>
          <ResponsiveContainer width="100%" height={Math.max(140, 44 * data.length + 70)}>
            <BarChart data={data} layout="vertical" margin={{ left: 16, right: 32 }}>
              <CartesianGrid strokeDasharray="3 3" horizontal={false} />
              <XAxis type="number" allowDecimals={false} />
              <YAxis type="category" dataKey="label" width={190} />
              <Tooltip />
              <Legend />
              {levels.map((level, i) => (
                <Bar
                  key={key(level)}
                  dataKey={key(level)}
                  name={preventionLevel(level)}
                  stackId="levels"
                  fill={COLOURS[i % COLOURS.length]}
                  isAnimationActive={false}
                />
              ))}
            </BarChart>
          </ResponsiveContainer>
        </div>
      )}
      <table className="chart-table">
        <caption className="visually-hidden">{title} som tabel</caption>
        <thead>
          <tr>
            <th scope="col">Kommune (kilde)</th>
            {levels.map((level) => (
              <th scope="col" key={key(level)}>
                {preventionLevel(level)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.label}>
              <th scope="row">{r.label}</th>
              {levels.map((level) => {
                const figures = r.byLevel.get(key(level));
                const count = figures ? figureValue(figures.headcount) : null;
                const share = figures?.headcountShare.value;
                return (
                  <td key={key(level)}>
                    {figures ? `${count ?? 'Ukendt'}${share ? ` (${decimal(share)} %)` : ''}` : '0'}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

export function Charts({ comparison }: { comparison: Compared[] }) {
  const per10k = comparison.flatMap((c) =>
    c.staffing.map((s) => ({
      label: `${c.municipality.name} (${s.source?.key ?? '–'})`,
      figure: s.headcountPer10kInhabitants,
    })),
  );
  const budgets = comparison.flatMap((c) =>
    c.budgets.map((b) => ({
      label: `${c.municipality.name} (${b.source?.key ?? '–'}, ${b.year})`,
      figure: b.perInhabitant,
    })),
  );
  return (
    <div className="charts">
      <SingleFigureChart title="Ansatte pr. 10.000 indbyggere" unit="Ansatte pr. 10.000" points={per10k} />
      <LevelChart comparison={comparison} />
      <SingleFigureChart title="Budget pr. indbygger (kr.)" unit="Kr. pr. indbygger" points={budgets} />
    </div>
  );
}
