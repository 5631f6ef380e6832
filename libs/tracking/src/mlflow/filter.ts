/**
 * A small subset of MLflow's search-runs filter grammar, enough for slt's own lookups:
 * equality clauses on tags, params and run attributes joined by AND, e.g.
 * ``tags.`slt.run_key` = 'search-1/g0-3' and params.mask = '0101'``.
 */
import { StoreError } from '../errors.js';
import type { Run } from '../store/types.js';

interface Clause {
  entity: 'tags' | 'params' | 'attributes';
  key: string;
  op: '=' | '!=';
  value: string;
}

const CLAUSE =
  /^\s*(?:(tags|tag|params|param|attributes|attribute|attr|run)\.)?(?:`([^`]+)`|"([^"]+)"|([\w.]+))\s*(!=|=)\s*'((?:[^'\\]|\\.|'')*)'\s*$/i;

/** Parses `filter` into clauses; throws `StoreError` INVALID_PARAMETER_VALUE for anything else. */
export function parseRunFilter(filter: string): Clause[] {
  if (!filter || !filter.trim()) return [];
  return filter.split(/\s+and\s+/i).map((part) => {
    const m = CLAUSE.exec(part);
    if (!m) {
      throw new StoreError(
        'INVALID_PARAMETER_VALUE',
        `Unsupported filter clause '${part.trim()}': use tags.\`key\` = 'value', params.key = 'value' or attributes.run_name = 'value'`,
      );
    }
    const prefix = (m[1] ?? 'attributes').toLowerCase();
    const entity = prefix.startsWith('tag') ? 'tags' : prefix.startsWith('param') ? 'params' : 'attributes';
    const value = m[6].replace(/''/g, "'").replace(/\\(.)/g, '$1');
    return { entity, key: m[2] ?? m[3] ?? m[4], op: m[5] as '=' | '!=', value };
  });
}

/** Quotes a value for a filter string. */
export function quoteFilterValue(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** True when `run` satisfies every clause. */
export function matchesFilter(run: Run, clauses: Clause[]): boolean {
  return clauses.every((c) => {
    let actual: string | undefined;
    if (c.entity === 'tags') actual = run.tags[c.key];
    else if (c.entity === 'params') actual = run.params[c.key];
    else if (c.key === 'run_name') actual = run.info.runName;
    else if (c.key === 'status') actual = run.info.status;
    else if (c.key === 'run_id') actual = run.info.runId;
    else throw new StoreError('INVALID_PARAMETER_VALUE', `Unsupported attribute '${c.key}' in filter: use run_name, status or run_id`);
    return c.op === '=' ? actual === c.value : actual !== c.value;
  });
}
