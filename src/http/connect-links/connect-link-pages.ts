import { LoginProvider } from '../../domain/social-account';
import type { LinkState } from '../../services/connect-links/connect-links.service';

/**
 * The hosted pages of a connect link: server-rendered, no script at all, one <style> element
 * allowed by the response's CSP nonce (connect-link-routes.ts sets the policy), no referrer (the
 * page's URL is the bearer link).
 */

const PROVIDER_NAMES: Record<LoginProvider, string> = {
  [LoginProvider.FACEBOOK]: 'Facebook',
  [LoginProvider.INSTAGRAM]: 'Instagram',
};

export function linkPage(nonce: string, input: { action: string; provider: LoginProvider | null; reconnect: boolean; expiresAt: Date }): string {
  const providers = input.provider ? [input.provider] : [LoginProvider.FACEBOOK, LoginProvider.INSTAGRAM];
  const what = input.reconnect ? 'reconnect your Instagram professional account' : 'connect your Instagram professional account';
  const buttons = providers.map((p) => `<button type="submit" name="provider" value="${p}">Continue with ${PROVIDER_NAMES[p]}</button>`).join('\n');
  return page(
    nonce,
    input.reconnect ? 'Reconnect your Instagram account' : 'Connect your Instagram account',
    `<p>You were sent this link to ${what}.</p>
<ol>
<li>${input.provider ? `${PROVIDER_NAMES[input.provider]} opens` : 'Facebook or Instagram opens'} and asks you to allow read access to your profile and follower count (Facebook: pick the Page your Instagram account is linked to).</li>
<li>We store the access Meta grants, encrypted, and send you back to where you came from.</li>
</ol>
<p>Nothing is posted for you. This link works until ${input.expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC and only once.</p>
<form method="post" action="${escapeHtml(input.action)}">
${buttons}
</form>`,
  );
}

const STATE_TEXT: Record<Exclude<LinkState, 'usable'>, { title: string; text: string }> = {
  expired: { title: 'This link has expired', text: 'Ask for a new link: this one is past its expiry.' },
  revoked: { title: 'This link was withdrawn', text: 'The link was revoked by the service that sent it. Ask for a new one.' },
  used: { title: 'This link was already used', text: 'The account was connected with this link already; a link works once.' },
};

export function unusablePage(nonce: string, state: Exclude<LinkState, 'usable'> | 'unknown', returnUrl?: string): string {
  const { title, text } =
    state === 'unknown' ? { title: 'Unknown link', text: 'This connect link does not exist. Check that you copied all of it.' } : STATE_TEXT[state];
  const back = returnUrl ? `<p><a href="${escapeHtml(returnUrl)}">Go back</a></p>` : '';
  return page(nonce, title, `<p>${text}</p>${back}`);
}

function page(nonce: string, title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer"><title>${title}</title>
<style nonce="${nonce}">body{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;line-height:1.5}button{font:inherit;padding:.6rem 1.2rem;margin:.3rem .5rem .3rem 0;border-radius:.4rem;border:1px solid #345;background:#234;color:#fff;cursor:pointer}</style>
</head>
<body><h1>${title}</h1>
${body}
</body></html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
