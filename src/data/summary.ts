/**
 * Descriptive summaries an analyst reads before modelling: conversion rate by segment (per level of a
 * categorical or boolean column, per quantile bin of a numeric one), computed on the rows given
 * (the training rows, so that the hold-out stays unseen).
 */
import { arquero } from './io/arquero.ts';
import type { Dataset } from './io/dataset.ts';
import { columnSchema } from './types/schema.ts';
import { DataError } from '../errors.ts';
import { columnValues } from './columns.ts';

export interface SegmentRow {
  segment: string;
  leads: number;
  conversions: number;
  rate: number;
}

export interface SegmentTable {
  column: string;
  rows: SegmentRow[];
}

/**
 * Conversion by segment of one column, over the given rows. Numeric columns are cut into `bins`
 * quantile bins; missing values are their own segment. Segments sort by rate, highest first.
 *
 * @example
 * conversionBySegment(data, target.y, 'channel', split.train);
 * // { column: 'channel', rows: [{ segment: 'referral', leads: 1280, conversions: 250, rate: 0.195 }, ...] }
 */
export function conversionBySegment(data: Dataset, y: Uint8Array, column: string, rows: Int32Array, bins = 5): SegmentTable {
  const schema = columnSchema(data.schema, column);
  if (!schema) throw new DataError('COLUMN_MISSING', `column "${column}" not found`, 'check the segment column name');
  const values = columnValues(data.table, column) as ArrayLike<unknown>;
  const picked = Array.from(rows, (r) => values[r]);
  let labels: string[];
  // Numeric segments keep their numeric order (sortKey); categories sort by rate.
  let sortKey: number[] | null = null;
  const distinctValues = new Set(picked);
  const few = schema.type === 'numeric' && distinctValues.size <= 15 && [...distinctValues].every((v) => v === null || Number.isInteger(v));
  if (few) {
    // A handful of whole numbers (counts such as 0, 1, 2): one segment per value, the sparse top pooled.
    const present = picked.filter((v): v is number => typeof v === 'number').sort((a, b) => a - b);
    const top = present[Math.floor(0.99 * (present.length - 1))] ?? 0;
    labels = picked.map((v) => (typeof v !== 'number' ? '(missing)' : v >= top && top > present[0]! ? `≥ ${formatNumber(top)}` : formatNumber(v)));
    sortKey = picked.map((v) => (typeof v === 'number' ? Math.min(v, top) : Infinity));
  } else if (schema.type === 'numeric' || schema.type === 'date' || schema.type === 'datetime') {
    const present = picked.filter((v): v is number => typeof v === 'number').sort((a, b) => a - b);
    const edges = [...new Set(Array.from({ length: bins - 1 }, (_, k) => present[Math.floor(((k + 1) / bins) * present.length)]!))];
    const fmt = (x: number) => (schema.type === 'numeric' ? formatNumber(x) : new Date(x).toISOString().slice(0, 10));
    const binOf = (v: unknown) => (typeof v !== 'number' ? -1 : edges.findIndex((e) => v < e));
    labels = picked.map((v) => {
      const k = binOf(v);
      if (typeof v !== 'number') return '(missing)';
      if (k === -1) return `≥ ${fmt(edges[edges.length - 1] ?? v)}`;
      return k === 0 ? `< ${fmt(edges[0]!)}` : `${fmt(edges[k - 1]!)} – ${fmt(edges[k]!)}`;
    });
    sortKey = picked.map((v) => (typeof v !== 'number' ? Infinity : binOf(v) === -1 ? edges.length : binOf(v)));
  } else {
    labels = picked.map((v) => (v === null || v === undefined ? '(missing)' : String(v)));
  }
  const key = sortKey ?? labels.map(() => 0);
  const aq = arquero();
  const table = aq
    .table({ segment: labels, key, converted: Array.from(rows, (r) => y[r]!) })
    .groupby('segment')
    .rollup({ key: aq.op.min('key'), leads: aq.op.count(), conversions: aq.op.sum('converted') })
    .derive({ rate: (d: { conversions: number; leads: number }) => d.conversions / d.leads })
    .orderby(sortKey ? 'key' : aq.desc('rate'), 'segment')
    .select('segment', 'leads', 'conversions', 'rate');
  return { column, rows: table.objects() as unknown as SegmentRow[] };
}

function formatNumber(x: number): string {
  if (Math.abs(x) >= 1e9) return `${(x / 1e9).toFixed(1)}B`;
  if (Math.abs(x) >= 1e6) return `${(x / 1e6).toFixed(1)}M`;
  if (Math.abs(x) >= 1e4) return `${(x / 1e3).toFixed(0)}k`;
  return Number.isInteger(x) ? String(x) : x.toFixed(2);
}

/**
 * Conversion per label (a tier, a grade, an action) over the given rows, in the order given by `order`
 * (labels not in it follow, by rate).
 *
 * @example
 * conversionByLabel(scores.tier, y, split.test, ['hot', 'warm', 'cold']);
 */
export function conversionByLabel(labels: ArrayLike<string>, y: Uint8Array, rows: Int32Array, order: readonly string[] = []): SegmentRow[] {
  const groups = new Map<string, SegmentRow>();
  for (const r of rows) {
    const segment = labels[r]!;
    let g = groups.get(segment);
    if (!g) groups.set(segment, (g = { segment, leads: 0, conversions: 0, rate: 0 }));
    g.leads++;
    g.conversions += y[r]!;
  }
  for (const g of groups.values()) g.rate = g.conversions / g.leads;
  const rank = (s: string) => (order.includes(s) ? order.indexOf(s) : order.length);
  return [...groups.values()].sort((a, b) => rank(a.segment) - rank(b.segment) || b.rate - a.rate || (a.segment < b.segment ? -1 : 1));
}
