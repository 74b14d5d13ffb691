import type { SocialAccountFieldsFragment, StatusHistoryEntryFragment } from '../../client/generated/graphql';
import type { ApiProblem } from './api';
import { h } from './dom';
import { explain } from './messages';
import { ago, when } from './relative-time';

const number = new Intl.NumberFormat(undefined);

/** What the card's last action did (success, or an answer that changed nothing); replaced by the next action. */
export interface CardNote {
  kind: 'success' | 'info';
  text: string;
}

/** One linked account: profile, figures, price, live status badge, and its actions. */
export function accountCard(
  account: SocialAccountFieldsFragment,
  state: {
    busy?: 'sync' | 'disconnect';
    problem?: ApiProblem;
    note?: CardNote;
    history: StatusHistoryEntryFragment[];
    onSync: () => void;
    onDisconnect: () => void;
  },
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
      avatar(account),
      h(
        'div',
        { class: 'who' },
        // One line, cut with an ellipsis when the card is narrow; the title gives the whole name.
        h('h3', { id: titleId, class: 'username', title: `@${account.username}` }, `@${account.username}`),
        h(
          'p',
          { class: 'sub' },
          h('span', { class: 'badge', 'data-status': account.connectionStatus }, account.connectionStatus),
          account.name ? h('span', { class: 'name', title: account.name }, account.name) : null,
        ),
      ),
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
      `${account.provider === 'FACEBOOK' ? 'Via a Facebook Page' : 'Via Instagram login'} · `,
      account.lastSyncedAt ? h('span', {}, 'figures from ', relativeTime(account.lastSyncedAt)) : 'never synced',
    ),
    historyView(account, state.history),
    state.problem ? problemView(state.problem, account) : null,
    state.note ? h('p', { class: `card-note ${state.note.kind}`, role: 'status' }, state.note.text) : null,
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

/** The failed action's message. A detail the card already shows as its status reason is not repeated. */
function problemView(problem: ApiProblem, account: SocialAccountFieldsFragment): HTMLElement {
  const { title, detail } = explain(problem);
  const repeated = Boolean(account.statusReason) && detail.trim() === account.statusReason!.trim();
  return h('div', { class: 'card-error', role: 'alert' }, h('strong', {}, title), repeated ? null : ` ${detail}`);
}

/** A <time> kept current by main.ts (refreshRelativeTimes); the exact moment in its title. */
export function relativeTime(iso: string): HTMLElement {
  return h('time', { datetime: iso, title: when.format(new Date(iso)), 'data-relative': '' }, ago(iso));
}

/** Picture URLs that failed once: not asked again on every render (a sync brings a new URL). */
const failedPictures = new Set<string>();

/** The profile picture over the account's initials: a picture that fails to load (expired CDN URL, offline) leaves the initials. */
function avatar(account: SocialAccountFieldsFragment): HTMLElement {
  const box = h('span', { class: 'avatar', 'aria-hidden': 'true' }, h('span', { class: 'initials' }, initialsOf(account)));
  const url = account.profilePictureUrl;
  if (url && !failedPictures.has(url)) {
    const img = h('img', { src: url, alt: '', width: '56', height: '56', referrerpolicy: 'no-referrer' });
    img.addEventListener('error', () => {
      failedPictures.add(url);
      img.remove();
    });
    box.append(img);
  }
  return box;
}

/** "Sandbox Creator" → "SC"; without a name, the username's first two words ("sandbox.agency" → "SA"). */
export function initialsOf(account: Pick<SocialAccountFieldsFragment, 'name' | 'username'>): string {
  const words = (account.name?.trim() ? account.name : account.username).split(/[\s._-]+/).filter(Boolean);
  return (
    words
      .slice(0, 2)
      .map((word) => [...word][0]?.toUpperCase() ?? '')
      .join('') || '?'
  );
}
