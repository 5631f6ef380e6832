import { describe, expect, it } from 'vitest';
import { JsonLineError, linesOf, parsePredictionJsonLines, parseSearchJsonLines } from './json-lines.js';

describe('--json lines', () => {
  const search = { type: 'search', searchId: 's1', mode: 'search', config: { seed: 7 }, model: 'mobilenet_v1_0.25', genomeLength: 86, dataset: { name: 'd', classNames: ['a', 'b'], counts: { train: 1, val: 1, test: 1 }, shape: [32, 32, 1] } };
  const evaluation = { type: 'evaluation', key: 'g0/0', kind: 'ga', generation: 0, index: 0, mask: '0101', fitness: null, testAccuracy: 0.5, trainableLayers: 2, trainableParams: 10, seconds: 1, imagesPerSecond: 3, error: 'NaN loss' };

  it('parses each line with its type\'s schema, typed by type', () => {
    const lines = parseSearchJsonLines(`${JSON.stringify(search)}\n${JSON.stringify(evaluation)}\n`);
    expect(linesOf(lines, 'search')[0]!.dataset.shape).toEqual([32, 32, 1]);
    expect(linesOf(lines, 'evaluation')[0]!.fitness).toBeNull(); // NaN in slt is null in JSON
  });

  it('parses a comparison line (--format json) with its rows and notes', () => {
    const row = { method: 'GA (best)', kind: 'ga', mask: '01', trainableLayers: 1, valAccuracy: 0.5, testAccuracy: null, trainableParams: 10, macroPrecision: null, macroRecall: null };
    const line = { type: 'comparison', searchId: 's1', rows: [row], generations: [{ generation: 0, best: 0.5, mean: 0.4 }], counts: { val: 140, test: 140 }, notes: ['x'], seedNoise: { val: 0.02, seeds: 3, searches: ['a', 'b', 'c'] } };
    const [c] = linesOf(parseSearchJsonLines(JSON.stringify(line)), 'comparison');
    expect(c!.rows[0]!.method).toBe('GA (best)');
    expect(c!.seedNoise?.seeds).toBe(3);
    expect(() => parseSearchJsonLines(JSON.stringify({ ...line, rows: [{ ...row, kind: 'other' }] }))).toThrow(/line 1: rows\.0\.kind:/);
  });

  it('names the line and the field that is wrong', () => {
    const bad = { ...evaluation, mask: '01x' };
    expect(() => parseSearchJsonLines(`${JSON.stringify(search)}\n${JSON.stringify(bad)}`)).toThrow(JsonLineError);
    expect(() => parseSearchJsonLines(`${JSON.stringify(search)}\n${JSON.stringify(bad)}`)).toThrow(/line 2: mask: expected a string of 0 and 1/);
    expect(() => parseSearchJsonLines('{"type":"other"}')).toThrow(/line 1: type:/);
    expect(() => parseSearchJsonLines('progress 3/8')).toThrow(/line 1: not JSON/);
    expect(() => parsePredictionJsonLines('{"file":"a.png","class":"cat","classIndex":0,"probability":"high","probabilities":{}}')).toThrow(/line 1: probability:/);
  });
});
