import './styles.css';
import {
  ConnectInstagramDocument,
  ConnectionStatusChangedDocument,
  DisconnectSocialAccountDocument,
  OAuthUrlDocument,
  SocialAccountDocument,
  SocialAccountsWithHistoryDocument,
  SyncSocialAccountDocument,
  type LoginProvider,
  type SocialAccountFieldsFragment,
  type SocialConnectionStatus,
  type StatusHistoryEntryFragment,
} from '../../client/generated/graphql';
import { createApi, problemOf, resetSocket, type ApiProblem } from './api';
import { accountCard, type CardNote } from './account-card';
import { callbackPanel, readCallback, type OAuthCallback } from './callback-panel';
import { h } from './dom';
import { explain } from './messages';
import { ago, refreshRelativeTimes } from './relative-time';
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
const HISTORY_SIZE = 5;
const accounts = new Map<string, Account>();
const histories = new Map<string, StatusHistoryEntryFragment[]>();
let lastCursor: string | undefined;
const busy = new Map<string, 'sync' | 'disconnect'>();
const cardErrors = new Map<string, ApiProblem>();
const cardNotes = new Map<string, CardNote>();
let flash: Flash | undefined;
/** A callback page opened while nobody is signed in here: its code and state, until someone signs in. */
let pendingCallback: OAuthCallback | undefined;
const SHOW_DISCONNECTED_KEY = 'instagram-connect.show-disconnected';
const ALL_STATUSES: SocialConnectionStatus[] = ['CONNECTED', 'EXPIRED', 'ERROR', 'DISCONNECTED'];
let unsubscribe: (() => void) | undefined;

const announce = (text: string) => {
  live.textContent = text;
};

async function start(): Promise<void> {
  if (location.pathname === '/oauth/callback') {
    const callback = readCallback();
    if (session.token) await finishConnect(callback);
    else pendingCallback = callback;
  }
  if (session.token) await loadAccounts();
  render();
}

/** The page Meta's dialog redirects to: code and state, or the cancel error. */
async function finishConnect(callback: OAuthCallback): Promise<void> {
  pendingCallback = undefined;
  history.replaceState(null, '', '/');
  app.replaceChildren(h('p', { class: 'working', role: 'status' }, 'Linking your Instagram account…'));
  const result = await api.mutation(ConnectInstagramDocument, callback).toPromise();
  if (result.error) {
    const problem = problemOf(result.error);
    if (problem.code === 'UNAUTHENTICATED') {
      // The saved sign-in has ended: say so, and keep the code and state on screen, to copy or
      // to finish here after signing in again.
      await signOut({ kind: 'error', problem });
      pendingCallback = callback;
      return render();
    }
    flash = { kind: 'error', problem };
    return;
  }
  const linked = result.data?.connectInstagram ?? [];
  flash = { kind: 'success', text: `Connected ${linked.map((a) => `@${a.username}`).join(', ')}.` };
}

async function loadAccounts(): Promise<void> {
  const statuses = showDisconnected() ? ALL_STATUSES : undefined;
  const result = await api.query(SocialAccountsWithHistoryDocument, { historySize: HISTORY_SIZE, statuses }).toPromise();
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

/** Messages belong to the action that caused them: a new action clears the last one's. */
function clearMessages(): void {
  flash = undefined;
  cardErrors.clear();
  cardNotes.clear();
}

function showDisconnected(): boolean {
  return localStorage.getItem(SHOW_DISCONNECTED_KEY) === '1';
}

async function setShowDisconnected(show: boolean): Promise<void> {
  if (show) localStorage.setItem(SHOW_DISCONNECTED_KEY, '1');
  else localStorage.removeItem(SHOW_DISCONNECTED_KEY);
  clearMessages();
  await refresh();
}

async function connectWith(provider: LoginProvider): Promise<void> {
  clearMessages();
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
  clearMessages();
  busy.set(account.id, action);
  render();
  const before = accounts.get(account.id) ?? account;
  const result =
    action === 'sync'
      ? await api.mutation(SyncSocialAccountDocument, { id: account.id }).toPromise()
      : await api.mutation(DisconnectSocialAccountDocument, { id: account.id }).toPromise();
  busy.delete(account.id);
  if (result.error) {
    const problem = problemOf(result.error);
    cardErrors.set(account.id, problem);
    // A dead token changes the account's status on the server: show the card as it is now.
    if (['TOKEN_EXPIRED', 'PERMISSION_MISSING', 'ACCOUNT_DISCONNECTED'].includes(problem.code)) await reloadAccount(account.id);
  }
  const updated = result.data && ('syncSocialAccount' in result.data ? result.data.syncSocialAccount : result.data.disconnectSocialAccount);
  if (updated) {
    accounts.set(updated.id, updated);
    const note = action === 'sync' ? syncNote(before, updated) : { kind: 'success' as const, text: 'Disconnected.' };
    cardNotes.set(updated.id, note);
    announce(`@${updated.username}: ${note.text}`);
  }
  render();
}

/**
 * What a sync did. Within the server's minimum sync interval it answers the stored figures
 * without asking Instagram (the sync coalescer): lastSyncedAt is then unchanged, and the card says
 * how old the figures are instead of "synced".
 */
function syncNote(before: Account, after: Account): CardNote {
  if (after.lastSyncedAt && after.lastSyncedAt === before.lastSyncedAt) {
    return {
      kind: 'info',
      text: `Not synced again: the last sync was ${ago(after.lastSyncedAt)}, too recent to ask Instagram again. These figures are from then.`,
    };
  }
  return { kind: 'success', text: 'Synced: fresh figures from Instagram.' };
}

async function reloadAccount(id: string): Promise<void> {
  const result = await api.query(SocialAccountDocument, { id }).toPromise();
  const account = result.data?.socialAccount;
  if (account) accounts.set(account.id, account);
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
  // Signed in on the callback page: finish the connection here (its state belongs to the member
  // who asked for the dialog; another member's sign-in gets INVALID_OAUTH_STATE, explained).
  if (pendingCallback) await finishConnect(pendingCallback);
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
  clearMessages();
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
  app.replaceChildren(
    ...(!memberId && pendingCallback ? [callbackPanel(pendingCallback)] : []),
    ...(memberId ? dashboard() : signInPanel()),
    flashView() ?? '',
  );
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
      h(
        'div',
        { class: 'list-head' },
        h('h2', { id: 'accounts-heading' }, `Your Instagram accounts (${list.length})`),
        h(
          'label',
          { class: 'toggle' },
          h('input', {
            type: 'checkbox',
            id: 'show-disconnected',
            checked: showDisconnected(),
            onchange: (event: Event) => void setShowDisconnected((event.target as HTMLInputElement).checked),
          }),
          ' Show disconnected',
        ),
      ),
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
                  note: cardNotes.get(account.id),
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
  setInterval(() => refreshRelativeTimes(app), 15_000);
})();
