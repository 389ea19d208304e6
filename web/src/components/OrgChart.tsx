// A small organisation chart per municipality: the units from the top of the hierarchy down to
// where the crime-prevention work sits, and the units below those; the crime-prevention units
// stand out. Drawn as nested lists, so screen readers read it as the tree it is.
import type { Unit } from '../api';

interface Node {
  unit: Unit;
  children: Node[];
}

/** The units to draw: those on a path to a crime-prevention unit, and everything below one. */
export function chartTree(units: Unit[]): { roots: Node[]; left: number } {
  const byId = new Map(units.map((u) => [u.id, u]));
  const keep = new Set<string>();
  for (const unit of units) {
    if (!unit.hostsCrimePrevention) continue;
    for (let u: Unit | undefined = unit; u && !keep.has(u.id); u = u.parent ? byId.get(u.parent.id) : undefined) {
      keep.add(u.id);
    }
  }
  const below = (id: string): boolean => {
    for (let u = byId.get(id); u; u = u.parent ? byId.get(u.parent.id) : undefined) {
      if (u.hostsCrimePrevention) return true;
    }
    return false;
  };
  for (const unit of units) if (below(unit.id)) keep.add(unit.id);
  const nodes = new Map<string, Node>();
  for (const unit of units) if (keep.has(unit.id)) nodes.set(unit.id, { unit, children: [] });
  const roots: Node[] = [];
  for (const node of nodes.values()) {
    const parent = node.unit.parent ? nodes.get(node.unit.parent.id) : undefined;
    (parent ? parent.children : roots).push(node);
  }
  return { roots, left: units.length - nodes.size };
}

function Branch({ node }: { node: Node }) {
  const { unit } = node;
  return (
    <li>
      <span className={unit.hostsCrimePrevention ? 'org-unit crime-prevention' : 'org-unit'}>
        {unit.name}
        {unit.hostsCrimePrevention && <span className="badge">Kriminalpræventiv enhed</span>}
      </span>
      {node.children.length > 0 && (
        <ul>
          {node.children.map((child) => (
            <Branch key={child.unit.id} node={child} />
          ))}
        </ul>
      )}
    </li>
  );
}

export function OrgChart({ name, units }: { name: string; units: Unit[] }) {
  const { roots, left } = chartTree(units);
  return (
    <figure className="org-chart">
      <figcaption>{name}</figcaption>
      {roots.length === 0 ? (
        <p className="unknown">Ukendt: kilderne placerer ikke det kriminalpræventive arbejde på datoen.</p>
      ) : (
        <ul className="org-tree">
          {roots.map((root) => (
            <Branch key={root.unit.id} node={root} />
          ))}
        </ul>
      )}
      {left > 0 && (
        <p className="muted">
          {left} {left === 1 ? 'anden enhed' : 'andre enheder'} i kommunens organisation er ikke vist.
        </p>
      )}
    </figure>
  );
}
