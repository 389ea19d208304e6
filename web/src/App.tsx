// The comparison page: choose municipalities and a date, see their crime-prevention (SSP)
// organisation side by side, as the Ishøj working note (002) does by hand, with every figure's
// source; export it as CSV or print it for a committee paper.
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, CHOOSER_QUERY, COMPARE_QUERY, fetchGraphql, type Chooser, type Compared, type Source } from './api';
import { isSignInAnswer, pageQuery } from './auth/pending';
import { forgetToken, storedToken } from './auth/token';
import { Charts } from './components/Charts';
import { DateChooser, MunicipalityChooser } from './components/Chooser';
import { ComparisonTable } from './components/ComparisonTable';
import { OrgChart } from './components/OrgChart';
import { SignIn } from './components/SignIn';
import { comparisonRows, toCsv } from './csv';
import { date } from './format';

/** What a newcomer sees first: the comparison of the working note 002 (27 March 2023). */
const DEFAULT_CODES = [165, 791, 169];
const DEFAULT_AS_OF = '2023-07-01';
/** Municipalities per request: each costs about 8 000 of the server's default complexity limit. */
const CODES_PER_REQUEST = 4;

function fromUrl(): { codes: number[]; asOf: string } {
  const params = new URLSearchParams(pageQuery());
  const codes = (params.get('kommuner') ?? '')
    .split(',')
    .map(Number)
    .filter((code) => Number.isInteger(code) && code > 0);
  const asOf = params.get('dato') ?? '';
  return {
    codes: params.has('kommuner') ? [...new Set(codes)] : DEFAULT_CODES,
    asOf: /^\d{4}-\d{2}-\d{2}$/.test(asOf) ? asOf : DEFAULT_AS_OF,
  };
}

async function compare(codes: number[], asOf: string): Promise<Compared[]> {
  const chunks: number[][] = [];
  for (let i = 0; i < codes.length; i += CODES_PER_REQUEST) chunks.push(codes.slice(i, i + CODES_PER_REQUEST));
  const ask = (codes: number[]) =>
    fetchGraphql(COMPARE_QUERY, { codes, asOf }).then(
      (answer) => answer.compareMunicipalities,
    );
  const answers = await Promise.all(
    chunks.map((chunk) =>
      ask(chunk).catch((error: unknown) => {
        // A server with a lower complexity limit: one municipality per request.
        if (!(error instanceof ApiError && error.code === 'QUERY_TOO_COMPLEX') || chunk.length === 1) throw error;
        return Promise.all(chunk.map((code) => ask([code]))).then((parts) => parts.flat());
      }),
    ),
  );
  return answers.flat();
}

/** Every source document the comparison cites, by key. */
function citedSources(comparison: Compared[]): Source[] {
  const found = new Map<string, Source>();
  const add = (s: Source | null | undefined) => s && found.set(s.key, s);
  for (const c of comparison) {
    c.population.sources.forEach(add);
    c.placements.forEach((p) => add(p.unit.provenance.source));
    c.staffing.forEach((s) => add(s.source));
    c.budgets.forEach((b) => b.perInhabitant.sources.forEach(add));
    c.keyIndicators.forEach((k) => add(k.provenance.source));
    c.forumsByLevel.forEach((f) => f.forums.forEach((x) => add(x.provenance.source)));
  }
  return [...found.values()].sort((a, b) => a.key.localeCompare(b.key));
}

function download(name: string, text: string) {
  const blob = new Blob(['\uFEFF', text], { type: 'text/csv;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function App() {
  const [initial] = useState(fromUrl);
  const [codes, setCodes] = useState<number[]>(initial.codes);
  const [asOf, setAsOf] = useState(initial.asOf);
  const [chooser, setChooser] = useState<Chooser | null>(null);
  const [comparison, setComparison] = useState<{ codes: number[]; asOf: string; rows: Compared[] } | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [token, setToken] = useState<string | null>(() => storedToken());
  const [signInChecked, setSignInChecked] = useState(false);

  // Back from the OpenID provider: exchange the code before asking for any data.
  useEffect(() => {
    const answer = isSignInAnswer() ? import('./auth/pkce').then((m) => m.completeSignIn()) : Promise.resolve(false);
    answer
      .then((done) => done && setToken(storedToken()))
      .catch((e: Error) => setError(e.message))
      .finally(() => setSignInChecked(true));
  }, []);

  useEffect(() => {
    fetchGraphql(CHOOSER_QUERY)
      .then(setChooser)
      .catch((e: Error) => setError(`Kommunelisten kunne ikke hentes: ${e.message}`));
  }, []);

  // The selection is in the address, so a comparison can be bookmarked and shared.
  useEffect(() => {
    if (!signInChecked) return;
    const params = new URLSearchParams({ kommuner: codes.join(','), dato: asOf });
    window.history.replaceState(null, '', `/?${params.toString().replace(/%2C/g, ',')}`);
  }, [codes, asOf, signInChecked]);

  const request = useRef(0);
  const load = useCallback(() => {
    const mine = ++request.current;
    if (codes.length === 0) {
      setComparison({ codes, asOf, rows: [] });
      return;
    }
    setLoading(true);
    compare(codes, asOf)
      .then((rows) => {
        if (mine !== request.current) return;
        setComparison({ codes, asOf, rows });
        setError(null);
      })
      .catch((e: unknown) => {
        if (mine !== request.current) return;
        if (e instanceof ApiError && e.code === 'UNAUTHENTICATED') {
          forgetToken();
          setToken(null);
          setError('Serveren afviste din log-ind (udløbet eller ugyldig). Du ser nu offentlige oplysninger.');
          return;
        }
        setError(`Sammenligningen kunne ikke hentes: ${e instanceof Error ? e.message : String(e)}`);
      })
      .finally(() => mine === request.current && setLoading(false));
  }, [codes, asOf]);

  // A short pause lets the year slider move through years without a request for each.
  useEffect(() => {
    if (!signInChecked) return;
    const timer = setTimeout(load, 200);
    return () => clearTimeout(timer);
  }, [load, token, signInChecked]);

  const rows = comparison?.rows ?? [];
  const caption = `Kriminalpræventiv organisering pr. ${date(comparison?.asOf ?? asOf)}`;
  const sources = citedSources(rows);

  return (
    <>
      <a className="skip-link" href="#sammenligning">
        Gå til sammenligningen
      </a>
      <header className="page-header">
        <div>
          <h1>Sammenligning af SSP-organisering</h1>
          <p className="print-only">
            Data pr. {date(comparison?.asOf ?? asOf)}, udskrevet {date(new Date().toISOString().slice(0, 10))}.
          </p>
          <p className="lead">
            Kommunernes kriminalpræventive organisering side om side: placering, bemanding, budget, fora og
            nøgletal, hvert tal med sin kilde.
          </p>
        </div>
        <div className="header-side">
          <SignIn options={chooser?.signIn ?? null} token={token} onChange={() => setToken(storedToken())} />
          <nav aria-label="Andre sider">
            <a href="/graphql">GraphiQL (API for udviklere)</a>
          </nav>
        </div>
      </header>
      <main>
        <section className="controls" aria-labelledby="valg">
          <h2 id="valg">Vælg kommuner og dato</h2>
          <div className="control-grid">
            {chooser ? (
              <MunicipalityChooser data={chooser} selected={codes} onChange={setCodes} />
            ) : (
              <p>Henter kommunelisten …</p>
            )}
            <DateChooser asOf={asOf} onChange={setAsOf} />
          </div>
        </section>

        <div className="status" role="status" aria-live="polite">
          {loading ? 'Henter sammenligningen …' : ''}
        </div>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}

        <section id="sammenligning" aria-labelledby="sammenligning-titel" aria-busy={loading} tabIndex={-1}>
          <div className="section-head">
            <h2 id="sammenligning-titel">{caption}</h2>
            <div className="actions">
              <button
                type="button"
                disabled={rows.length === 0}
                onClick={() => download(`ssp-sammenligning-${comparison?.asOf ?? asOf}.csv`, toCsv(comparisonRows(rows, comparison?.asOf ?? asOf)))}
              >
                Hent som CSV
              </button>
              <button type="button" disabled={rows.length === 0} onClick={() => window.print()}>
                Udskriv
              </button>
            </div>
          </div>
          {comparison && rows.length === 0 && <p>Vælg en eller flere kommuner ovenfor.</p>}
          {rows.length > 0 && <ComparisonTable comparison={rows} caption={caption} />}
        </section>

        {rows.length > 0 && (
          <>
            <section aria-labelledby="diagrammer">
              <h2 id="diagrammer">Organisationsdiagrammer</h2>
              <p className="muted">
                Fra toppen af organisationen ned til de enheder, hvor det kriminalpræventive arbejde ligger
                (fremhævet), og enhederne under dem.
              </p>
              <div className="org-charts">
                {rows.map((c) => (
                  <OrgChart key={c.municipality.code} name={c.municipality.name} units={c.municipality.units} />
                ))}
              </div>
            </section>
            <section aria-labelledby="grafer">
              <h2 id="grafer">Bemanding og budget i grafer</h2>
              <Charts comparison={rows} />
            </section>
            <section aria-labelledby="kilder" className="sources">
              <h2 id="kilder">Kilder</h2>
              <ul>
                {sources.map((s) => (
                  <li key={s.key}>
                    <strong>{s.key}</strong>: {s.title}, {s.publisher}
                    {s.date ? `, ${date(s.date)}` : ', udateret'}
                  </li>
                ))}
              </ul>
            </section>
          </>
        )}
      </main>
      <footer className="page-footer">
        <p>Vestegn – data fra kommunernes egne dokumenter. Et ukendt tal vises med grunden til, at det er ukendt.</p>
      </footer>
    </>
  );
}
