import path from 'node:path';
import { useEffect, useState } from 'react';
import { readSearchJournal, reduceJournal, type SearchSummary } from '@slt/runner/light';
import { DEFAULT_FRACTIONS, readCatalog } from '@slt/datasets';
import { DEMO_DATA, type FormValues } from '../state/form.js';
import { budgetEstimate, DEFAULT_SPEED, type Budget, type SpeedReference } from '../view/estimate.js';

/** The demo's data set name (its folder name in the cache). */
const DEMO_DATASET = DEMO_DATA.slice('demo:'.length);

/**
 * The training speed of a finished or running search, from its journal: the median images/s of
 * its trained evaluations times the evaluations it ran at once (its workers), at its input size.
 */
export async function measuredSpeed(s: SearchSummary): Promise<SpeedReference | undefined> {
  const st = reduceJournal(await readSearchJournal(s.journalPath));
  const rows = [...st.generations.flatMap((g) => g.rows), ...st.baselines].filter((r) => (r.state === 'done' || r.state === 'failed') && r.imagesPerSecond);
  if (!rows.length || !st.config) return undefined;
  const ips = rows.map((r) => r.imagesPerSecond!).sort((a, b) => a - b)[Math.floor(rows.length / 2)];
  const parallel = Math.max(1, Math.min(st.config.workers ?? 1, st.config.population ?? 1));
  const input = st.config.input as [number, number];
  return { imagesPerSecond: ips * parallel, input, source: `your last search's`, dataset: st.dataset?.name, trainImages: st.dataset?.counts.train };
}

/** The training images of the form's data set: the reference's count for the same data set, else the folder's examples x the training fraction. */
async function trainImagesOf(data: string, ref: SpeedReference | undefined): Promise<number | undefined> {
  const name = data === DEMO_DATA ? DEMO_DATASET : path.basename(path.resolve(data));
  if (ref?.dataset === name && ref.trainImages) return ref.trainImages;
  // The demo's subset is named by its size (fashion-mnist-900: 900 examples, before the split).
  if (data === DEMO_DATA) return Math.round(Number(/(\d+)$/.exec(DEMO_DATASET)?.[1] ?? NaN) * DEFAULT_FRACTIONS[0]) || undefined;
  try {
    const catalog = await readCatalog(data);
    const free = catalog.items.filter((i) => !i.fixedTest).length;
    return Math.round(free * DEFAULT_FRACTIONS[0]);
  } catch {
    return undefined;
  }
}

/** The form's budget in numbers, undefined while a field is not a number yet. */
export function formBudget(values: FormValues): Budget | undefined {
  const n = (k: 'population' | 'generations' | 'epochs') => (/^\d+$/.test(values[k].trim()) ? Number(values[k].trim()) : NaN);
  const m = /^(\d+)x(\d+)$/.exec(values.input.trim());
  const b = { population: n('population'), generations: n('generations'), epochs: n('epochs') };
  if (!m || Object.values(b).some((x) => !Number.isFinite(x))) return undefined;
  const mode = values.mode === 'baselines' || values.mode === 'compare' ? values.mode : 'search';
  return { ...b, mode, randomBaselines: 3, input: [Number(m[1]), Number(m[2])] };
}

/**
 * The estimate line of the form: the newest search of the same model here gives the speed (else
 * {@link DEFAULT_SPEED}); recomputed when the budget, the data set or the list changes.
 */
export function useEstimate(values: FormValues, searches: SearchSummary[], active: boolean): string | undefined {
  const [text, setText] = useState<string | undefined>();
  const budget = formBudget(values);
  const key = JSON.stringify([budget, values.data, values.model]);
  const ref = searches.find((s) => s.model === values.model && s.done > 0 && s.mode !== 'study');
  const refKey = ref ? `${ref.dir}@${ref.done}` : '';
  useEffect(() => {
    if (!active) return;
    if (!budget) {
      setText(undefined);
      return;
    }
    let live = true;
    (async () => {
      const speed = (ref ? await measuredSpeed(ref).catch(() => undefined) : undefined) ?? DEFAULT_SPEED;
      const images = await trainImagesOf(values.data.trim(), speed === DEFAULT_SPEED ? undefined : speed);
      if (live) setText(budgetEstimate(budget, speed, images));
    })().catch(() => undefined);
    return () => {
      live = false;
    };
    // `key` and `refKey` stand for the budget, the data, the model and the reference search.
  }, [key, refKey, active]);
  return active ? text : undefined;
}
