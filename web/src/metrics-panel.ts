import type { Client } from '@urql/core';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { AccountMetricsDocument, type AccountMetricsQuery } from '../../client/generated/graphql';
import { h } from './dom';

/**
 * An account's creator metrics (docs/creator-metrics.md) behind a disclosure on its card:
 * follower growth (a uPlot chart of the daily history), engagement, and the audience when Meta
 * gave it. Loaded once per account when first opened; the element is kept across re-renders of
 * the card, so the chart is drawn once.
 */
let api: Client | undefined;
const panels = new Map<string, HTMLElement>();

export function useMetricsApi(client: Client): void {
  api = client;
}

const number = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 2 });
const HISTORY_DAYS = 90;

export function metricsPanel(accountId: string): HTMLElement {
  let panel = panels.get(accountId);
  if (panel) return panel;
  const body = h('div', { class: 'metrics-body' }, h('p', { class: 'metrics-note' }, 'Loading…'));
  panel = h('details', { class: 'metrics', 'data-metrics-for': accountId }, h('summary', {}, 'Creator metrics'), body);
  let loaded = false;
  panel.addEventListener('toggle', () => {
    if (loaded || !(panel as HTMLDetailsElement).open) return;
    loaded = true;
    void load(accountId, body);
  });
  panels.set(accountId, panel);
  return panel;
}

async function load(accountId: string, body: HTMLElement): Promise<void> {
  const result = await api?.query(AccountMetricsDocument, { id: accountId, days: HISTORY_DAYS }).toPromise();
  const account = result?.data?.socialAccount;
  body.replaceChildren();
  if (!account) {
    body.append(h('p', { class: 'metrics-note metrics-error' }, 'The metrics could not be loaded.'));
    return;
  }
  const audience = audienceView(account);
  body.append(growthView(account), engagementView(account), ...(audience ? [audience] : []));
}

type Account = NonNullable<AccountMetricsQuery['socialAccount']>;

function growthView(account: Account): HTMLElement {
  const g = account.followerGrowth;
  const change = (figure: { followers?: number | null; rate?: number | null }) =>
    figure.followers === null || figure.followers === undefined
      ? '—'
      : h(
          'span',
          {},
          `${figure.followers >= 0 ? '+' : ''}${number.format(figure.followers)}`,
          figure.rate !== null && figure.rate !== undefined ? h('small', { class: 'rate' }, percent.format(figure.rate)) : null,
        );
  const chart = h('div', { class: 'growth-chart', role: 'img', 'aria-label': `Followers over the last ${HISTORY_DAYS} days` });
  const history = account.metricsHistory;
  if (history.length >= 2) {
    // uPlot wants seconds on the x axis and one array per series.
    const data: uPlot.AlignedData = [history.map((d) => Date.parse(`${d.day}T00:00:00Z`) / 1000), history.map((d) => d.followers)];
    requestAnimationFrame(() => {
      new uPlot(
        {
          width: Math.max(240, chart.clientWidth || 320),
          height: 160,
          legend: { show: false },
          scales: { x: { time: true } },
          series: [{}, { label: 'Followers', stroke: '#3949ab', width: 2, fill: 'rgba(57, 73, 171, 0.08)' }],
          axes: [{}, { size: 56, values: (_u, ticks) => ticks.map((t) => number.format(t)) }],
        },
        data,
        chart,
      );
    });
  } else chart.append(h('p', { class: 'metrics-note' }, 'The chart appears after two days of history.'));
  return h(
    'section',
    { class: 'growth' },
    h('h4', {}, 'Follower growth'),
    h(
      'dl',
      { class: 'figures' },
      h('div', {}, h('dt', {}, '7 days'), h('dd', {}, change(g.days7))),
      h('div', {}, h('dt', {}, '30 days'), h('dd', {}, change(g.days30))),
      h('div', {}, h('dt', {}, '90 days'), h('dd', {}, change(g.days90))),
    ),
    chart,
  );
}

function engagementView(account: Account): HTMLElement {
  const e = account.engagement;
  if (!e)
    return h(
      'section',
      { class: 'engagement' },
      h('h4', {}, 'Engagement'),
      h('p', { class: 'metrics-note' }, 'Not computed yet: the first refresh runs within a day.'),
    );
  const value = (v: number | null | undefined, format = number) => (v === null || v === undefined ? '—' : format.format(v));
  return h(
    'section',
    { class: 'engagement' },
    h('h4', {}, 'Engagement'),
    h(
      'dl',
      { class: 'figures' },
      h('div', {}, h('dt', {}, 'Engagement rate'), h('dd', { 'data-figure': 'engagement-rate' }, value(e.engagementRate, percent))),
      h('div', {}, h('dt', {}, 'Avg likes'), h('dd', {}, value(e.averageLikes))),
      h('div', {}, h('dt', {}, 'Avg comments'), h('dd', {}, value(e.averageComments))),
      h('div', {}, h('dt', {}, 'Avg views'), h('dd', {}, value(e.averageViews))),
      h('div', {}, h('dt', {}, 'Posts / week'), h('dd', {}, value(e.postsPerWeek))),
      h('div', {}, h('dt', {}, 'Price basis'), h('dd', {}, account.priceBasis === 'ENGAGEMENT' ? 'engagement' : 'followers')),
    ),
    h(
      'p',
      { class: 'metrics-note' },
      `Last ${e.postsConsidered} posts of ${e.windowDays} days: ${e.mediaMix.images} images, ${e.mediaMix.carousels} carousels, ${e.mediaMix.videos} videos, ${e.mediaMix.reels} reels · as of ${new Date(e.asOf).toLocaleString()}`,
    ),
  );
}

function audienceView(account: Account): HTMLElement | null {
  const a = account.audience;
  if (!a) return null;
  const bars = (title: string, groups: Array<{ key: string; followers: number }>) => {
    const top = groups.slice(0, 5);
    const total = groups.reduce((sum, g) => sum + g.followers, 0) || 1;
    return h(
      'div',
      { class: 'audience-group' },
      h('h5', {}, title),
      ...top.map((g) =>
        h(
          'div',
          { class: 'bar' },
          h('span', { class: 'bar-label' }, g.key),
          h('span', { class: 'bar-track' }, h('span', { class: 'bar-fill', style: `width: ${((g.followers / total) * 100).toFixed(1)}%` })),
          h('span', { class: 'bar-value' }, percent.format(g.followers / total)),
        ),
      ),
    );
  };
  return h(
    'section',
    { class: 'audience' },
    h('h4', {}, 'Audience'),
    bars('Age', a.age),
    bars('Gender', a.gender),
    bars('Country', a.country),
    bars('City', a.city),
  );
}
