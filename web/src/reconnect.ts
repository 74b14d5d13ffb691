import type { SocialAccountFieldsFragment } from '../../client/generated/graphql';
import { h } from './dom';

/**
 * How far ahead a coming end of access is shown: the server's default WEBHOOK_RECONNECT_NOTICE_DAYS,
 * so the dashboard warns when the platform's backend hears `account.reconnect_needed`.
 */
const NOTICE_DAYS = 7;

const day = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

/** The statuses a new dialog round trip fixes: connecting again revives the account in place. */
const NEEDS_RECONNECT = new Set(['EXPIRED', 'ERROR', 'DISCONNECTED']);

/**
 * An account's reconnect prompt, or null: a "Reconnect" button (the account's own provider's
 * dialog, back to the dashboard) when the account stopped working, and when and why it will
 * stop when `needsReconnectBy` is within the notice window.
 */
export function reconnectView(account: SocialAccountFieldsFragment, onReconnect: () => void, now = Date.now()): HTMLElement | null {
  const broken = NEEDS_RECONNECT.has(account.connectionStatus);
  const deadline = account.needsReconnectBy ? new Date(account.needsReconnectBy) : undefined;
  const soon = !broken && deadline !== undefined && deadline.getTime() - now <= NOTICE_DAYS * 86_400_000;
  if (!broken && !soon) return null;
  const provider = account.provider === 'FACEBOOK' ? 'Facebook' : 'Instagram';
  const why = soon
    ? `Reconnect by ${day.format(deadline!)}: Meta ends our access to @${account.username} then (its ${provider} login expires) unless you reconnect it.`
    : `Reconnect @${account.username} through ${provider} to make it work again.`;
  return h(
    'div',
    { class: 'reconnect', role: soon ? 'note' : undefined },
    h('p', { class: 'reconnect-why' }, why),
    h('button', { type: 'button', class: 'reconnect', onclick: onReconnect, 'aria-label': `Reconnect @${account.username}` }, 'Reconnect'),
  );
}
