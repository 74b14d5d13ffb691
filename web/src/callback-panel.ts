import { h } from './dom';

/** What Meta's dialog put on the redirect, as connectInstagram takes it. */
export interface OAuthCallback {
  code: string;
  state: string;
  error: string | null;
  errorReason: string | null;
  errorDescription: string | null;
}

/**
 * Meta ends the redirect with a fragment that is part of nothing: Facebook `#_=_`, Instagram `#_`
 * (docs/meta-platform.md). The browser keeps it out of the query; one pasted percent-encoded
 * (`%23_%3D_`) would still reach a parameter, so it is dropped there too. The server strips it as well.
 */
const withoutMetaFragment = (value: string) => value.trim().replace(/#_(=_)?$/, '');

/** The callback's parameters; the fragment also leaves the address bar, so a copied URL is clean. */
export function readCallback(): OAuthCallback {
  const params = new URLSearchParams(location.search);
  if (location.hash) history.replaceState(null, '', location.pathname + location.search);
  return {
    code: withoutMetaFragment(params.get('code') ?? ''),
    state: withoutMetaFragment(params.get('state') ?? ''),
    error: params.get('error'),
    errorReason: params.get('error_reason'),
    errorDescription: params.get('error_description'),
  };
}

/**
 * The callback page when nobody is signed in here, typically someone following the curl
 * walk-through: not an error, just where to take the code and state (or sign in below to finish).
 */
export function callbackPanel(callback: OAuthCallback): HTMLElement {
  const quote = (value: string) => JSON.stringify(value);
  const mutation = `mutation { connectInstagram(code: ${quote(callback.code)}, state: ${quote(callback.state)}${
    callback.error ? `, error: ${quote(callback.error)}` : ''
  }${callback.errorReason ? `, errorReason: ${quote(callback.errorReason)}` : ''}) { username connectionStatus } }`;
  return h(
    'section',
    { class: 'panel callback', 'aria-labelledby': 'callback-heading' },
    h('h2', { id: 'callback-heading' }, 'Not signed in here'),
    h(
      'p',
      {},
      callback.error
        ? `The Meta dialog was cancelled (${callback.errorReason ?? callback.error}). `
        : 'Meta sent this browser back with a connection to finish, but nobody is signed in to this dashboard. ',
      'If you started the connection with curl or another API client, finish it there with the code and state below. ',
      'Or sign in below as the member who started it to finish it here.',
    ),
    copyField('callback-code', 'Code', callback.code),
    copyField('callback-state', 'State', callback.state),
    copyField('callback-mutation', 'GraphQL mutation', mutation, true),
  );
}

function copyField(id: string, label: string, value: string, multiline = false): HTMLElement {
  const field = multiline
    ? h('textarea', { id, readonly: true, rows: '4', spellcheck: 'false' })
    : h('input', { id, type: 'text', readonly: true, spellcheck: 'false', autocomplete: 'off' });
  field.value = value;
  field.addEventListener('focus', () => field.select());
  const button = h('button', { type: 'button', class: 'copy', 'aria-label': `Copy ${label.toLowerCase()}` }, 'Copy');
  button.addEventListener('click', () => {
    void copy(field).then((copied) => {
      button.textContent = copied ? 'Copied' : 'Select and copy';
    });
  });
  return h('div', { class: 'copy-field' }, h('label', { for: id }, label), h('div', { class: 'copy-row' }, field, button));
}

async function copy(field: HTMLInputElement | HTMLTextAreaElement): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(field.value);
    return true;
  } catch {
    // No clipboard access (plain http on another host, or permission denied): leave it selected.
    field.focus();
    field.select();
    return false;
  }
}
