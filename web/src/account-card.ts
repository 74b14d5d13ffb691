import type { SocialAccountFieldsFragment, StatusHistoryEntryFragment } from '../../client/generated/graphql';
import type { ApiProblem } from './api';
import { h } from './dom';
import { explain } from './messages';
import { metricsPanel } from './metrics-panel';

const number = new Intl.NumberFormat(undefined);
const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** One linked account: profile, figures, price, live status badge, and its actions. */
export function accountCard(
  account: SocialAccountFieldsFragment,
  state: { busy?: 'sync' | 'disconnect'; problem?: ApiProblem; history: StatusHistoryEntryFragment[]; onSync: () => void; onDisconnect: () => void },
): HTMLElement {
  const disconnected = account.connectionStatus === 'DISCONNECTED';
  const price = new Intl.NumberFormat(undefined, { style: 'currency', currency: account.currency }).format(account.price / 100);
  const titleId = `account-${account.id}`;
  return h(
    'article',
    {
      class: `card status-${account.connectionStatus.toLowerCase()}`,
      'aria-labelledby': titleId,
      'data-account-id': account.id,
      'aria-busy': state.busy ? 'true' : undefined,
    },
    h(
      'header',
      {},
      account.profilePictureUrl
        ? h('img', { src: account.profilePictureUrl, alt: '', width: '56', height: '56', loading: 'lazy', referrerpolicy: 'no-referrer' })
        : null,
      h('div', {}, h('h3', { id: titleId }, `@${account.username}`), account.name ? h('p', { class: 'name' }, account.name) : null),
      h('span', { class: 'badge', 'data-status': account.connectionStatus }, account.connectionStatus),
    ),
    account.statusReason ? h('p', { class: 'reason' }, account.statusReason) : null,
    h(
      'dl',
      { class: 'figures' },
      h('div', {}, h('dt', {}, 'Followers'), h('dd', {}, number.format(account.followersCount))),
      h('div', {}, h('dt', {}, 'Following'), h('dd', {}, number.format(account.followingCount))),
      h('div', {}, h('dt', {}, 'Posts'), h('dd', {}, number.format(account.mediaCount))),
      h('div', {}, h('dt', {}, 'Tier'), h('dd', {}, account.priceTier)),
      h('div', {}, h('dt', {}, 'Price'), h('dd', {}, price)),
    ),
    account.biography ? h('p', { class: 'bio' }, account.biography) : null,
    account.website
      ? h('p', {}, h('a', { href: account.website, rel: 'noopener noreferrer', target: '_blank' }, account.website.replace(/^https?:\/\//, '')))
      : null,
    h(
      'p',
      { class: 'meta' },
      `${account.provider === 'FACEBOOK' ? 'Via a Facebook Page' : 'Via Instagram login'} · last synced ${account.lastSyncedAt ? when.format(new Date(account.lastSyncedAt)) : 'never'}`,
    ),
    historyView(account, state.history),
    disconnected ? null : metricsPanel(account.id),
    state.problem ? problemView(state.problem) : null,
    h(
      'div',
      { class: 'actions' },
      h(
        'button',
        { type: 'button', class: 'sync', onclick: state.onSync, disabled: Boolean(state.busy) || disconnected, 'aria-label': `Sync @${account.username}` },
        state.busy === 'sync' ? 'Syncing…' : 'Sync',
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'disconnect danger',
          onclick: state.onDisconnect,
          disabled: Boolean(state.busy) || disconnected,
          'aria-label': `Disconnect @${account.username}`,
        },
        state.busy === 'disconnect' ? 'Disconnecting…' : 'Disconnect',
      ),
    ),
  );
}

/** The account's latest status changes, newest first (statusHistory, then live changes prepended). */
function historyView(account: SocialAccountFieldsFragment, history: StatusHistoryEntryFragment[]): HTMLElement | null {
  if (history.length === 0) return null;
  return h(
    'details',
    { class: 'history' },
    h('summary', {}, `Recent changes (${history.length})`),
    h(
      'ol',
      { 'aria-label': `Status history of @${account.username}` },
      ...history.map((entry) =>
        h(
          'li',
          { 'data-status': entry.status },
          h('span', { class: 'chip', 'data-status': entry.status }, entry.status),
          ' ',
          h('time', { datetime: entry.changedAt }, when.format(new Date(entry.changedAt))),
          entry.reason ? h('span', { class: 'history-reason' }, ` · ${entry.reason}`) : null,
        ),
      ),
    ),
  );
}

function problemView(problem: ApiProblem): HTMLElement {
  const { title, detail } = explain(problem);
  return h('div', { class: 'card-error', role: 'alert' }, h('strong', {}, title), ' ', detail);
}
