/**
 * The bundled synthetic sample: seeded, realistic B2B leads with a known true conversion probability.
 *
 * Leads belong to accounts (several contacts per company), arrive over `months` months with growth and
 * fewer weekend sign-ups, and act (page views, pricing page, content downloads by stage, e-mails,
 * webinars, demo requests, unsubscribes) mostly in their first weeks. The true probability is a
 * documented logit of what is known at the lead's scoring time, 30 days after creation: fit, BANT,
 * channel, decayed behaviour, non-linear effects and interactions, and engaged colleagues in the same
 * account. Conversions happen after the scoring time with a delay, so recent leads are not yet mature at
 * the extract date. data/README.md documents every coefficient listed in `TRUE_MODEL`.
 */
import { join } from 'node:path';
import { createRng, type Rng } from '../../random.ts';
import { DAY_MS, formatDate } from '../types/dates.ts';
import { writeCsvColumns } from '../io/write.ts';

export interface SyntheticOptions {
  rows?: number;
  seed?: number;
  /** First day of the history, ISO date. Default 2024-01-01. */
  start?: string;
  months?: number;
}

/**
 * Days after creation at which the true probability is defined (what a score made then could know).
 *
 * @example
 * await train({ data: { path: SAMPLE.leads }, target: 'converted', activities: { path: SAMPLE.activities }, asOf: `created_at+${SCORING_DELAY_DAYS}d` });
 */
export const SCORING_DELAY_DAYS = 30;
/** Half-life, in days, of behaviour's effect in the true model. */
export const TRUE_HALF_LIFE_DAYS = 14;

/**
 * The coefficients of the true logit (documented in data/README.md).
 *
 * @example
 * TRUE_MODEL.intercept; // the log-odds every generated lead starts from
 */
export const TRUE_MODEL = {
  intercept: -3.7,
  seniority: { 'C-level': 0.8, VP: 0.8, Director: 0.6, Manager: 0.3, 'Individual contributor': 0, Student: -0.5 },
  companySize: { '1-10': -0.9, '11-50': -0.2, '51-200': 0.4, '201-1000': 0.5, '1001-5000': 0.2, '5000+': -0.3 },
  industry: { Software: 0.4, 'Financial services': 0.25, 'Professional services': 0.15, Healthcare: 0.1, Manufacturing: 0, Retail: -0.1, Education: -0.4, Government: -0.6 },
  emailType: { corporate: 0, free: -0.7, generic: -0.9, student: -1.8 },
  channel: { referral: 0.6, partner: 0.4, events: 0.3, webinar: 0.3, 'organic search': 0.1, 'paid search': 0, 'paid social': -0.4 },
  budget: { yes: 0.5, no: -0.3, missing: 0 },
  timeline: { '< 3 months': 0.6, '3-6 months': 0.3, '6-12 months': 0, '> 12 months': -0.4, missing: 0 },
  budgetAndShortTimeline: 0.7,
  pricingLog1p: 0.8,
  demoCapped: 1.6,
  demoBySeniorBuyer: 0.6,
  decisionContent: 0.7,
  considerationContent: 0.2,
  webinarCapped2: 0.35,
  clicksLog1p: 0.25,
  manyPageViews: 0.4,
  manyPageViewsThreshold: 6,
  engagedColleagues: 0.35,
  engagedColleaguesCap: 3,
  unsubscribed: -2.5,
} as const;

type Weighted<T extends string> = ReadonlyArray<readonly [T, number]>;

const INDUSTRIES: Weighted<keyof typeof TRUE_MODEL.industry> = [
  ['Software', 0.22], ['Financial services', 0.12], ['Professional services', 0.17], ['Healthcare', 0.1],
  ['Manufacturing', 0.14], ['Retail', 0.12], ['Education', 0.08], ['Government', 0.05]];
const SIZES: Weighted<keyof typeof TRUE_MODEL.companySize> = [
  ['1-10', 0.18], ['11-50', 0.24], ['51-200', 0.22], ['201-1000', 0.18], ['1001-5000', 0.1], ['5000+', 0.08]];
const SIZE_REVENUE_MEDIAN: Record<string, number> = { '1-10': 1e6, '11-50': 5e6, '51-200': 2e7, '201-1000': 8e7, '1001-5000': 4e8, '5000+': 2e9 };
const COUNTRIES: Weighted<string> = [
  ['US', 0.35], ['GB', 0.12], ['DE', 0.1], ['FR', 0.08], ['NL', 0.05], ['CA', 0.07], ['AU', 0.05], ['IN', 0.08], ['BR', 0.05], ['ES', 0.05]];
const CHANNELS: Weighted<keyof typeof TRUE_MODEL.channel> = [
  ['organic search', 0.28], ['paid search', 0.18], ['paid social', 0.18], ['referral', 0.08], ['webinar', 0.11], ['events', 0.09], ['partner', 0.08]];
const DEPARTMENTS: Weighted<string> = [
  ['Marketing', 0.25], ['Sales', 0.2], ['IT', 0.2], ['Operations', 0.12], ['Finance', 0.1], ['HR', 0.06], ['Other', 0.07]];
const SENIORITIES: Weighted<keyof typeof TRUE_MODEL.seniority> = [
  ['C-level', 0.06], ['VP', 0.09], ['Director', 0.16], ['Manager', 0.29], ['Individual contributor', 0.4]];
const EMAILS: Weighted<keyof typeof TRUE_MODEL.emailType> = [['corporate', 0.72], ['free', 0.16], ['generic', 0.06], ['student', 0.06]];
const TIMELINES: Weighted<Exclude<keyof typeof TRUE_MODEL.timeline, 'missing'>> = [
  ['< 3 months', 0.2], ['3-6 months', 0.3], ['6-12 months', 0.3], ['> 12 months', 0.2]];
const C_TITLES: Record<string, string> = { Marketing: 'CMO', Sales: 'CRO', IT: 'CTO', Operations: 'COO', Finance: 'CFO', HR: 'CHRO', Other: 'CEO' };
const IC_TITLES: Record<string, string> = { Marketing: 'Marketing Specialist', Sales: 'Account Executive', IT: 'Software Engineer', Operations: 'Operations Analyst', Finance: 'Financial Analyst', HR: 'HR Generalist', Other: 'Consultant' };
const SENIORITY_INTENT: Record<string, number> = { 'C-level': 0.3, VP: 0.4, Director: 0.3, Manager: 0.1, 'Individual contributor': -0.1, Student: -0.6 };
const CHANNEL_INTENT: Record<string, number> = { referral: 0.4, partner: 0.2, events: 0.2, webinar: 0.3, 'organic search': 0.1, 'paid search': 0, 'paid social': -0.3 };

export const EVENT_TYPES = ['page_view', 'pricing_page_view', 'content_download', 'email_open', 'email_click', 'webinar_attended', 'demo_request', 'unsubscribe'] as const;

function choose<T extends string>(rng: Rng, items: Weighted<T>): T {
  let u = rng.next();
  for (const [value, w] of items) {
    if (u < w) return value;
    u -= w;
  }
  return items[items.length - 1]![0];
}

function poisson(rng: Rng, lambda: number): number {
  const limit = Math.exp(-lambda);
  let k = 0;
  let p = rng.next();
  while (p > limit) {
    k++;
    p *= rng.next();
  }
  return k;
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

export interface SyntheticLeads {
  names: string[];
  columns: Array<Array<string | number | null>>;
}

export interface SyntheticSample {
  leads: SyntheticLeads;
  activities: SyntheticLeads;
  truth: SyntheticLeads;
  /** The extract date: nothing after it is in the files (epoch ms). */
  extractedAt: number;
}

interface Lead {
  id: string;
  account: number;
  created: number;
  channel: string;
  country: string | null;
  industry: string;
  size: string;
  revenue: number | null;
  title: string | null;
  seniority: string;
  department: string;
  email: string;
  budget: 'yes' | 'no' | null;
  timeline: string | null;
  optIn: boolean;
  intent: number;
}

interface Event {
  lead: number;
  time: number;
  type: (typeof EVENT_TYPES)[number];
  stage: string | null;
}

/**
 * Generates the sample in memory.
 *
 * @example
 * const sample = generateSample({ rows: 2000, seed: 7 });
 * sample.leads.names; // ['lead_id', 'account_id', 'created_at', ...]
 */
export function generateSample(options: SyntheticOptions = {}): SyntheticSample {
  const rows = options.rows ?? 20000;
  const seed = options.seed ?? 42;
  const months = options.months ?? 24;
  const start = Date.parse(`${options.start ?? '2024-01-01'}T00:00:00Z`);
  const startDate = new Date(start);
  const end = Date.UTC(startDate.getUTCFullYear(), startDate.getUTCMonth() + months, 1);
  const span = end - start;
  const rng = createRng(seed);
  const accountRng = rng.fork('accounts');
  const leadRng = rng.fork('leads');
  const eventRng = rng.fork('events');
  const outcomeRng = rng.fork('outcomes');

  // Accounts and their contacts.
  const leads: Lead[] = [];
  let account = 0;
  while (leads.length < rows) {
    account++;
    const industry = choose(accountRng, INDUSTRIES);
    const size = choose(accountRng, SIZES);
    const revenue = accountRng.next() < 0.15 ? null
      : Math.round((SIZE_REVENUE_MEDIAN[size]! * Math.exp(0.6 * accountRng.normal())) / 1000) * 1000;
    const country = accountRng.next() < 0.03 ? null : choose(accountRng, COUNTRIES);
    const quality = 0.6 * accountRng.normal();
    // Contacts: 1 + geometric, more in larger companies.
    const extra = size === '1-10' ? 0.3 : size === '11-50' ? 0.5 : 0.65;
    let contacts = 1;
    while (contacts < 12 && accountRng.next() < extra) contacts++;
    // Sign-ups grow over time (density 1 + 0.6 t) and dip at weekends.
    let first = 0;
    for (;;) {
      const u = accountRng.next();
      const t = (Math.sqrt(1 + 1.56 * u) - 1) / 0.6; // inverse CDF of the density ∝ 1 + 0.6 t on [0, 1]
      first = start + Math.min(t, 0.999999) * span;
      const weekday = new Date(first).getUTCDay();
      if ((weekday !== 0 && weekday !== 6) || accountRng.next() < 0.35) break;
    }
    for (let c = 0; c < contacts && leads.length < rows; c++) {
      const created = c === 0 ? first : first + leadRng.next() * 120 * DAY_MS;
      if (created >= end) continue;
      const email = choose(leadRng, EMAILS);
      const department = email === 'student' ? 'Other' : choose(leadRng, DEPARTMENTS);
      const seniority = email === 'student' && leadRng.next() < 0.8 ? 'Student' : choose(leadRng, SENIORITIES);
      const channel = choose(leadRng, CHANNELS);
      const senior = ['C-level', 'VP', 'Director'].includes(seniority);
      const budgetKnown = leadRng.next() < (senior ? 0.7 : 0.45);
      const budget = !budgetKnown ? null : leadRng.next() < sigmoid(-0.6 + (senior ? 0.8 : 0) + quality) ? 'yes' : 'no';
      const timeline = leadRng.next() < 0.4 ? null : choose(leadRng, TIMELINES);
      const intent = quality + SENIORITY_INTENT[seniority]! + CHANNEL_INTENT[channel]! + 0.7 * leadRng.normal();
      leads.push({
        id: '', account, created: Math.floor(created / 1000) * 1000, channel, country, industry, size, revenue,
        title: leadRng.next() < 0.06 ? null : jobTitle(seniority, department, leadRng), seniority, department, email,
        budget, timeline, optIn: leadRng.next() < 0.4 + 0.1 * Math.tanh(intent), intent,
      });
    }
  }
  leads.sort((a, b) => a.created - b.created || a.account - b.account);
  leads.forEach((lead, i) => (lead.id = `L${String(i + 1).padStart(6, '0')}`));

  // Behaviour: most activity in the first weeks, more for higher intent.
  const events: Event[] = [];
  leads.forEach((lead, li) => {
    const u = lead.intent;
    const add = (type: Event['type'], count: number, stage: (() => string) | null = null): void => {
      for (let k = 0; k < count; k++) {
        const day = Math.min(-Math.log(1 - eventRng.next()) * 12, 75);
        const time = lead.created + Math.floor((day * DAY_MS) / 1000) * 1000;
        if (time < end) events.push({ lead: li, time, type, stage: stage ? stage() : null });
      }
    };
    add('page_view', poisson(eventRng, 1.6 * Math.exp(0.5 * u)));
    add('pricing_page_view', poisson(eventRng, 0.35 * Math.exp(0.9 * u)));
    add('content_download', poisson(eventRng, 0.6 * Math.exp(0.5 * u)), () => {
      const r = eventRng.next();
      const decision = sigmoid(u - 1.4);
      return r < decision ? 'decision' : r < decision + 0.35 ? 'consideration' : 'awareness';
    });
    add('email_open', poisson(eventRng, (lead.optIn ? 1.8 : 0.4) * Math.exp(0.3 * u)));
    add('email_click', poisson(eventRng, 0.4 * Math.exp(0.6 * u)));
    add('webinar_attended', poisson(eventRng, (lead.channel === 'webinar' ? 0.8 : 0.15) * Math.exp(0.6 * u)));
    add('demo_request', eventRng.next() < sigmoid(-3.3 + 1.1 * u) ? 1 : 0);
    add('unsubscribe', eventRng.next() < sigmoid(-3.2 - 0.6 * u) ? 1 : 0);
  });
  events.sort((a, b) => a.time - b.time || a.lead - b.lead || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));

  // The true probability, from what is known at each lead's scoring time.
  const byLead: Event[][] = leads.map(() => []);
  for (const e of events) byLead[e.lead]!.push(e);
  const accountLeads = new Map<number, number[]>();
  leads.forEach((lead, i) => {
    const list = accountLeads.get(lead.account);
    if (list) list.push(i);
    else accountLeads.set(lead.account, [i]);
  });
  const strongSignal = new Set(['pricing_page_view', 'demo_request', 'webinar_attended']);
  const truth = leads.map((lead, i) => {
    const scoredAt = lead.created + SCORING_DELAY_DAYS * DAY_MS;
    let engagedColleagues = 0;
    for (const other of accountLeads.get(lead.account)!) {
      if (other !== i && byLead[other]!.some((e) => e.time < scoredAt && strongSignal.has(e.type))) engagedColleagues++;
    }
    return { p: trueProbability(lead, byLead[i]!, scoredAt, engagedColleagues), scoredAt };
  });

  // Outcomes: converted after the scoring time with a delay; not yet visible when after the extract date.
  const converted: number[] = [];
  const convertedAt: Array<string | null> = [];
  leads.forEach((lead, i) => {
    const wins = outcomeRng.next() < truth[i]!.p;
    const delayDays = 21 * Math.exp(0.8 * outcomeRng.normal());
    const at = truth[i]!.scoredAt + delayDays * DAY_MS;
    const visible = wins && at < end;
    converted.push(visible ? 1 : 0);
    convertedAt.push(visible ? formatDate(Date.UTC(new Date(at).getUTCFullYear(), new Date(at).getUTCMonth(), new Date(at).getUTCDate()), true) : null);
  });

  const iso = (ms: number) => formatDate(ms).replace('.000Z', 'Z');
  return {
    extractedAt: end,
    leads: {
      names: ['lead_id', 'account_id', 'created_at', 'channel', 'country', 'industry', 'company_size', 'annual_revenue',
        'job_title', 'seniority', 'department', 'email_type', 'budget_confirmed', 'purchase_timeline', 'newsletter_opt_in',
        'converted', 'converted_at'],
      columns: [
        leads.map((l) => l.id), leads.map((l) => `A${String(l.account).padStart(5, '0')}`), leads.map((l) => iso(l.created)),
        leads.map((l) => l.channel), leads.map((l) => l.country), leads.map((l) => l.industry), leads.map((l) => l.size),
        leads.map((l) => l.revenue), leads.map((l) => l.title), leads.map((l) => l.seniority), leads.map((l) => l.department),
        leads.map((l) => l.email), leads.map((l) => l.budget), leads.map((l) => l.timeline), leads.map((l) => (l.optIn ? 'yes' : 'no')),
        converted, convertedAt,
      ],
    },
    activities: {
      names: ['lead_id', 'occurred_at', 'type', 'stage'],
      columns: [events.map((e) => leads[e.lead]!.id), events.map((e) => iso(e.time)), events.map((e) => e.type), events.map((e) => e.stage)],
    },
    truth: {
      names: ['lead_id', 'probability'],
      columns: [leads.map((l) => l.id), truth.map((t) => Number(t.p.toFixed(6)))],
    },
  };
}

function jobTitle(seniority: string, department: string, rng: Rng): string {
  switch (seniority) {
    case 'C-level': return C_TITLES[department]!;
    case 'VP': return `VP ${department === 'Other' ? 'Strategy' : department}`;
    case 'Director': return rng.next() < 0.5 ? `Director of ${department === 'Other' ? 'Strategy' : department}` : `Head of ${department === 'Other' ? 'Strategy' : department}`;
    case 'Manager': return `${department === 'Other' ? 'Project' : department} Manager`;
    case 'Student': return 'Student';
    default: return IC_TITLES[department]!;
  }
}

/** The documented true logit, evaluated on a lead and its events (only those before `scoredAt` count). */
function trueProbability(lead: Lead, events: readonly Event[], scoredAt: number, engagedColleagues: number): number {
  const m = TRUE_MODEL;
  const decayed: Record<string, number> = {};
  let pageViews = 0;
  let unsubscribed = false;
  for (const e of events) {
    if (e.time >= scoredAt) continue;
    const age = (scoredAt - e.time) / DAY_MS;
    const key = e.type === 'content_download' ? `content_${e.stage}` : e.type;
    decayed[key] = (decayed[key] ?? 0) + 0.5 ** (age / TRUE_HALF_LIFE_DAYS);
    if (e.type === 'page_view') pageViews++;
    if (e.type === 'unsubscribe') unsubscribed = true;
  }
  const d = (k: string) => decayed[k] ?? 0;
  const senior = lead.seniority === 'C-level' || lead.seniority === 'VP' || lead.seniority === 'Director';
  const demo = Math.min(d('demo_request'), 1);
  const z = m.intercept
    + m.seniority[lead.seniority as keyof typeof m.seniority]
    + m.companySize[lead.size as keyof typeof m.companySize]
    + m.industry[lead.industry as keyof typeof m.industry]
    + m.emailType[lead.email as keyof typeof m.emailType]
    + m.channel[lead.channel as keyof typeof m.channel]
    + m.budget[lead.budget ?? 'missing']
    + m.timeline[(lead.timeline ?? 'missing') as keyof typeof m.timeline]
    + (lead.budget === 'yes' && lead.timeline === '< 3 months' ? m.budgetAndShortTimeline : 0)
    + m.pricingLog1p * Math.log1p(d('pricing_page_view'))
    + m.demoCapped * demo + (senior ? m.demoBySeniorBuyer * demo : 0)
    + m.decisionContent * d('content_decision') + m.considerationContent * d('content_consideration')
    + m.webinarCapped2 * Math.min(d('webinar_attended'), 2)
    + m.clicksLog1p * Math.log1p(d('email_click'))
    + (pageViews >= m.manyPageViewsThreshold ? m.manyPageViews : 0)
    + m.engagedColleagues * Math.min(engagedColleagues, m.engagedColleaguesCap)
    + (unsubscribed ? m.unsubscribed : 0);
  return sigmoid(z);
}

/**
 * Writes leads.csv, activities.csv and truth.csv into `dir` (atomically, file by file).
 *
 * @example
 * await writeSample('data/sample', { rows: 20000, seed: 42 });
 */
export async function writeSample(dir: string, options: SyntheticOptions = {}): Promise<{ files: string[]; sample: SyntheticSample }> {
  const sample = generateSample(options);
  const files: string[] = [];
  for (const [name, table] of [['leads.csv', sample.leads], ['activities.csv', sample.activities], ['truth.csv', sample.truth]] as const) {
    const path = join(dir, name);
    await writeCsvColumns(path, table.names, table.columns);
    files.push(path);
  }
  return { files, sample };
}
