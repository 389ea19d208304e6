import { describe, expect, it } from 'vitest';
import type { Unit } from '../api';
import { chartTree } from './OrgChart';

const unit = (id: string, parent: string | null, hostsCrimePrevention = false): Unit => ({
  id,
  name: id,
  kind: 'department',
  hostsCrimePrevention,
  parent: parent ? { id: parent } : null,
  provenance: { section: '', validFrom: null, validTo: null, visibility: 'PUBLIC', note: null, source: null },
});

describe('the organisation chart', () => {
  it('keeps the path to each crime-prevention unit and what is below it, nothing else', () => {
    const units = [
      unit('board', null),
      unit('centre', 'board'),
      unit('ssp', 'centre', true),
      unit('ssp-team', 'ssp'),
      unit('schools', 'board'),
      unit('other-top', null),
    ];
    const { roots, left } = chartTree(units);
    expect(left).toBe(2);
    expect(roots.map((r) => r.unit.id)).toEqual(['board']);
    const centre = roots[0].children;
    expect(centre.map((c) => c.unit.id)).toEqual(['centre']);
    expect(centre[0].children[0].unit.id).toBe('ssp');
    expect(centre[0].children[0].children.map((c) => c.unit.id)).toEqual(['ssp-team']);
  });

  it('draws nothing when no unit hosts the work', () => {
    expect(chartTree([unit('board', null)])).toEqual({ roots: [], left: 1 });
  });
});
