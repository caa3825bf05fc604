import { describe, expect, it } from 'vitest';
import { appendSample, emptySeries } from '../../src/state/history';

describe('appendSample', () => {
  it('appends and keeps only the window', () => {
    let series = emptySeries();
    for (let t = 100; t <= 110; t++) series = appendSample(series, t, t * 10, 5);
    expect(series.t).toEqual([105, 106, 107, 108, 109, 110]);
    expect(series.v).toEqual([1050, 1060, 1070, 1080, 1090, 1100]);
  });

  it('does not change the series it was given (the store keeps old states)', () => {
    const before = appendSample(undefined, 1, 1);
    appendSample(before, 2, 2);
    expect(before).toEqual({ t: [1], v: [1] });
  });

  it('replaces samples a repeated or earlier time overtakes', () => {
    let series = appendSample(appendSample(appendSample(undefined, 1, 10), 2, 20), 3, 30);
    series = appendSample(series, 2, 99);
    expect(series).toEqual({ t: [1, 2], v: [10, 99] });
  });

  it('starts over after a long gap', () => {
    const series = appendSample(appendSample(undefined, 1, 10), 1000, 5, 300);
    expect(series).toEqual({ t: [1000], v: [5] });
  });
});
