import { describe, expect, test } from 'vitest';
import { fitnessChart } from './chart.js';
import { bar, clip, fmtDuration, wrap, wrapWords } from './format.js';
import { paretoFront, paretoPlot, type ParetoPoint } from './pareto.js';

const widest = (lines: string[]) => Math.max(...lines.map((l) => [...l].length));

describe('fitness chart', () => {
  test('fits the width for 1 to 60 generations; best above mean', () => {
    for (const n of [1, 2, 7, 60]) {
      const pts = Array.from({ length: n }, (_, g) => ({ generation: g, best: 0.5 + g / 200, mean: 0.3 + g / 300 }));
      for (const width of [40, 80]) {
        const lines = fitnessChart(pts, width, 6);
        expect(widest(lines)).toBeLessThanOrEqual(width);
        expect(lines).toHaveLength(8);
        const rowOf = (ch: string) => lines.findIndex((l) => l.slice(7).includes(ch));
        expect(rowOf('*')).toBeLessThan(rowOf('o'));
      }
    }
  });
  test('says so when no generation finished', () => {
    expect(fitnessChart([], 80, 6)).toEqual(['(no finished generation yet)']);
  });
});

describe('pareto', () => {
  const p = (label: string, accuracy: number, params: number, baseline = false): ParetoPoint => ({ label, accuracy, params, baseline });
  test('the front keeps points no other beats on both accuracy and params', () => {
    const pts = [p('a', 0.5, 100), p('b', 0.6, 200), p('c', 0.55, 300), p('d', 0.7, 1000), p('e', 0.4, 50), p('f', 0.7, 2000, true)];
    expect(paretoFront(pts).map((x) => x.label)).toEqual(['e', 'a', 'b', 'd']);
  });
  test('the plot fits and marks the front', () => {
    const pts = Array.from({ length: 30 }, (_, i) => p(`g${i}`, ((i * 37) % 100) / 100, 1000 + i * 5000, i % 7 === 0));
    const lines = paretoPlot(pts, 80, 8);
    expect(widest(lines)).toBeLessThanOrEqual(80);
    expect(lines.join('\n')).toMatch(/[◆◇]/);
  });
});

describe('format', () => {
  test('bars, clipping, wrapping, durations', () => {
    expect(bar(0.5, 10)).toBe('█████░░░░░');
    expect(bar(2, 4)).toBe('████');
    expect(clip('abcdef', 4)).toBe('abc…');
    expect(wrap('a'.repeat(86), 40).map((l) => l.length)).toEqual([40, 40, 6]);
    expect(wrapWords('one two three four', 9)).toEqual(['one two', 'three', 'four']);
    expect(fmtDuration(3725)).toBe('1h02m');
    expect(fmtDuration(65)).toBe('1m05s');
    expect(fmtDuration(undefined)).toBe('?');
  });
});
