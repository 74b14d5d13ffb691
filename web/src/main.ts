import './styles.css';
import {
  ConnectInstagramDocument,
  ConnectionStatusChangedDocument,
  DisconnectSocialAccountDocument,
  OAuthUrlDocument,
  SocialAccountsWithHistoryDocument,
  SyncSocialAccountDocument,
  type LoginProvider,
  type SocialAccountFieldsFragment,
  type StatusHistoryEntryFragment,
} from '../../client/generated/graphql';
import { createApi, problemOf, resetSocket, type ApiProblem } from './api';
import { accountCard } from './account-card';
import { useMetricsApi } from './metrics-panel';
import { h } from './dom';
import { explain } from './messages';
import { session } from './session';

type Account = SocialAccountFieldsFragment;
type Flash = { kind: 'success'; text: string } | { kind: 'error'; problem: ApiProblem };

const app = document.getElementById('app')!;
const sessionBox = document.getElementById('session')!;
const live = document.getElementById('live')!;
const api = createApi({
  onAuthLost: () => void signOut({ kind: 'error', problem: { code: 'UNAUTHENTICATED', message: '', extensions: {} } }),
  // With a cursor the subscription replays what we missed; without one (nothing received yet) the list is reloaded.
  onReconnected: () => {
    if (!lastCursor) void refresh();
  },
});
useMetricsApi(api);
const HISTORY_SIZE = 5;
const accounts = new Map<string, Account>();
const histories = new Map<string, StatusHistoryEntryFragment[]>();
let lastCursor: string | undefined;
const busy = new Map<string, 'sync' | 'disconnect'>();
const cardErrors = new Map<string, ApiProblem>();
let flash: Flash | undefined;
let unsubscribe: (() => void) | undefined;

const announce = (text: string) => {
  live.textContent = text;
};

async function start(): Promise<void> {
  if (location.pathname === '/oauth/callback') await finishConnect();
  if (session.token) await loadAccounts();
  render();
}

/** The page Meta's dialog redirects to: code and state, or the cancel error. */
async function finishConnect(): Promise<void> {
  const params = new URLSearchParams(location.search);
  if (!session.token) {
    // Leave code and state in the address bar: whoever is not signed in here (e.g. following the
    // README's curl walk-through) can still finish the connection through the API.
    flash = { kind: 'error', problem: { code: 'UNAUTHENTICATED', message: '', extensions: {} } };
    return;
  }
  history.replaceState(null, '', '/');
  app.replaceChildren(h('p', { class: 'working', role: 'status' }, 'Linking your Instagram account…'));
  const result = await api
    .mutation(ConnectInstagramDocument, {
      code: (params.get('code') ?? '').replace(/#_$/, ''),
      state: params.get('state') ?? '',
      error: params.get('error'),
      errorReason: params.get('error_reason'),
      errorDescription: params.get('error_description'),
    })
    .toPromise();
  if (result.error) {
    flash = { kind: 'error', problem: problemOf(result.error) };
    return;
  }
  const linked = result.data?.connectInstagram ?? [];
  flash = { kind: 'success', text: `Connected ${linked.map((a) => `@${a.username}`).join(', ')}.` };
}

async function loadAccounts(): Promise<void> {
  const result = await api.query(SocialAccountsWithHistoryDocument, { historySize: HISTORY_SIZE }).toPromise();
  if (result.error) {
    const problem = problemOf(result.error);
    if (problem.code === 'UNAUTHENTICATED') return signOut({ kind: 'error', problem });
    flash = { kind: 'error', problem };
    return;
  }
  accounts.clear();
  histories.clear();
  for (const { statusHistory, ...account } of result.data?.socialAccounts ?? []) {
    accounts.set(account.id, account);
    histories.set(account.id, statusHistory);
  }
  subscribe();
}

async function refresh(): Promise<void> {
  await loadAccounts();
  render();
}

/** Live badges: every status change of the member's accounts, from any tab, the worker or Meta. */
function subscribe(): void {
  if (unsubscribe) return;
  // From the last change this tab saw, if any: a subscription started again misses nothing.
  const { unsubscribe: stop } = api.subscription(ConnectionStatusChangedDocument, lastCursor ? { after: lastCursor } : {}).subscribe((result) => {
    const code = result.error ? problemOf(result.error).code : undefined;
    if (code === 'CURSOR_EXPIRED') {
      // Away longer than the server keeps history: start over from a fresh list.
      stopLive();
      lastCursor = undefined;
      void refresh();
      return;
    }
    if (code === 'SERVICE_UNAVAILABLE') {
      // The server could not start the subscription (its database was briefly away): try again.
      stopLive();
      setTimeout(() => session.token && subscribe(), 1_000);
      return;
    }
    const change = result.data?.connectionStatusChanged;
    if (!change) return;
    lastCursor = change.cursor;
    accounts.set(change.account.id, change.account);
    const history = histories.get(change.account.id) ?? [];
    if (!history.some((entry) => entry.cursor === change.cursor)) {
      const { account: _account, ...entry } = change;
      histories.set(change.account.id, [entry, ...history].slice(0, HISTORY_SIZE));
    }
    announce(`@${change.account.username} is now ${change.status.toLowerCase()}${change.reason ? `: ${change.reason}` : ''}`);
    render();
  });
  unsubscribe = stop;
}

function stopLive(): void {
  unsubscribe?.();
  unsubscribe = undefined;
}

async function connectWith(provider: LoginProvider): Promise<void> {
  const result = await api.query(OAuthUrlDocument, { provider, redirectUri: `${location.origin}/oauth/callback` }).toPromise();
  if (result.error || !result.data) {
    flash = {
      kind: 'error',
      problem: result.error ? problemOf(result.error) : { code: 'INTERNAL_SERVER_ERROR', message: 'No URL came back.', extensions: {} },
    };
    render();
    return;
  }
  location.assign(result.data.oauthUrl);
}

async function act(account: Account, action: 'sync' | 'disconnect'): Promise<void> {
  busy.set(account.id, action);
  cardErrors.delete(account.id);
  render();
  const result =
    action === 'sync'
      ? await api.mutation(SyncSocialAccountDocument, { id: account.id }).toPromise()
      : await api.mutation(DisconnectSocialAccountDocument, { id: account.id }).toPromise();
  busy.delete(account.id);
  if (result.error) cardErrors.set(account.id, problemOf(result.error));
  const updated = result.data && ('syncSocialAccount' in result.data ? result.data.syncSocialAccount : result.data.disconnectSocialAccount);
  if (updated) {
    accounts.set(updated.id, updated);
    announce(action === 'sync' ? `@${updated.username} synced.` : `@${updated.username} disconnected.`);
  }
  render();
}

async function signInAsDemo(): Promise<void> {
  const response = await fetch('/sandbox/token', { method: 'POST' });
  if (!response.ok) {
    flash = { kind: 'error', problem: { code: 'FORBIDDEN', message: 'Demo sign-in is only available in sandbox mode. Paste a JWT instead.', extensions: {} } };
    return render();
  }
  const { token } = (await response.json()) as { token: string };
  await signIn(token);
}

async function signIn(token: string): Promise<void> {
  session.set(token);
  await resetSocket();
  flash = undefined;
  await loadAccounts();
  render();
}

async function signOut(reason?: Flash): Promise<void> {
  session.clear();
  unsubscribe?.();
  unsubscribe = undefined;
  await resetSocket();
  accounts.clear();
  histories.clear();
  lastCursor = undefined;
  flash = reason;
  render();
}

function render(): void {
  const memberId = session.memberId();
  sessionBox.replaceChildren(
    ...(memberId
      ? [h('span', {}, 'Signed in as ', h('strong', {}, memberId)), h('button', { type: 'button', class: 'link', onclick: () => void signOut() }, 'Sign out')]
      : []),
  );
  app.replaceChildren(...(memberId ? dashboard() : signInPanel()), flashView() ?? '');
  // Flash messages go first in reading order.
  const message = app.querySelector('.flash');
  if (message) app.prepend(message);
}

function flashView(): HTMLElement | undefined {
  if (!flash) return undefined;
  if (flash.kind === 'success') return h('p', { class: 'flash success', role: 'status' }, flash.text);
  const { title, detail } = explain(flash.problem);
  return h('div', { class: 'flash error', role: 'alert' }, h('strong', {}, title), h('p', {}, detail));
}

let sandbox: boolean | undefined;

function signInPanel(): HTMLElement[] {
  const input = h('textarea', { id: 'jwt', name: 'jwt', rows: '3', placeholder: 'eyJhbGciOi…', required: true });
  const form = h(
    'form',
    {
      class: 'panel',
      onsubmit: (event: Event) => {
        event.preventDefault();
        void signIn(input.value);
      },
    },
    h('h2', {}, 'Sign in'),
    sandbox ? h('p', {}, h('button', { type: 'button', id: 'demo-sign-in', onclick: () => void signInAsDemo() }, 'Sign in as a demo member')) : null,
    h('label', { for: 'jwt' }, sandbox ? 'Or paste a platform JWT' : 'Paste a platform JWT'),
    input,
    h('button', { type: 'submit' }, 'Sign in with this token'),
  );
  return [form];
}

function dashboard(): HTMLElement[] {
  const list = [...accounts.values()];
  return [
    h(
      'section',
      { class: 'toolbar', 'aria-label': 'Connect an account' },
      h('button', { type: 'button', id: 'connect-facebook', onclick: () => void connectWith('FACEBOOK') }, 'Connect with Facebook'),
      h('button', { type: 'button', id: 'connect-instagram', onclick: () => void connectWith('INSTAGRAM') }, 'Connect with Instagram'),
    ),
    h(
      'section',
      { 'aria-labelledby': 'accounts-heading' },
      h('h2', { id: 'accounts-heading' }, `Your Instagram accounts (${list.length})`),
      list.length === 0
        ? h('p', { class: 'empty' }, 'No account linked yet. Connect one with Facebook (Instagram account linked to a Page) or directly with Instagram.')
        : h(
            'ul',
            { class: 'cards' },
            ...list.map((account) =>
              h(
                'li',
                {},
                accountCard(account, {
                  busy: busy.get(account.id),
                  history: histories.get(account.id) ?? [],
                  problem: cardErrors.get(account.id),
                  onSync: () => void act(account, 'sync'),
                  onDisconnect: () => void act(account, 'disconnect'),
                }),
              ),
            ),
          ),
    ),
  ];
}

void (async () => {
  sandbox = (await fetch('/sandbox').catch(() => undefined))?.ok ?? false;
  await start();
})();
