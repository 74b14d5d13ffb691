import type { Provider, World } from './world';

/**
 * The two consent dialogs, as HTML a person (or Playwright) can click through. "Allow" issues a
 * code bound to the dialog's redirect_uri; "Cancel" sends Meta's user_denied error back.
 */
export interface DialogRequest {
  provider: Provider;
  params: Record<string, string>;
}

export type DialogAnswer = { status: number; html: string } | { redirect: string };

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function validateDialog(world: World, { provider, params }: DialogRequest): string | undefined {
  const app = world.apps[provider];
  if (params.client_id !== app.id) return provider === 'facebook' ? 'Invalid App ID: the client_id does not belong to an app.' : 'Invalid platform app';
  if (params.response_type && params.response_type !== 'code') return 'Unsupported response_type: this app uses the code flow.';
  try {
    const url = new URL(params.redirect_uri ?? '');
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error();
  } catch {
    return "URL blocked: the redirect_uri is not a valid URL in the app's settings.";
  }
  return undefined;
}

export function renderDialog(world: World, request: DialogRequest, action: string): DialogAnswer {
  const problem = validateDialog(world, request);
  if (problem) return { status: 400, html: page('Error', `<p class="error" id="dialog-error">${escape(problem)}</p>`) };
  const { provider, params } = request;
  const hidden = ['client_id', 'redirect_uri', 'state', 'scope', 'response_type']
    .map((name) => `<input type="hidden" name="${name}" value="${escape(params[name] ?? '')}">`)
    .join('');
  const choices =
    provider === 'facebook'
      ? [...world.fbUsers.values()].map((user, i) => {
          const pages = user.pageIds
            .map((id) => world.pages.get(id)!)
            .map((p) => {
              const ig = p.instagramId ? world.igAccounts.get(p.instagramId) : undefined;
              const label = `${p.name}${ig ? ` (Instagram @${ig.username})` : ' (no Instagram account)'}${p.businessId ? ' [Business Portfolio]' : ''}`;
              return `<label class="page"><input type="checkbox" name="pages" value="${user.id}:${p.id}" checked> ${escape(label)}</label>`;
            })
            .join('');
          return `<fieldset><label><input type="radio" name="user" id="user-${user.id}" value="${user.id}"${i === 0 ? ' checked' : ''}> <strong>${escape(user.name)}</strong></label>${pages}</fieldset>`;
        })
      : [...world.igLoginUserIds].map((id, i) => {
          const ig = world.igAccounts.get(id)!;
          return `<fieldset><label><input type="radio" name="user" id="user-${id}" value="${id}"${i === 0 ? ' checked' : ''}> <strong>@${escape(ig.username)}</strong> (${ig.accountType}, ${ig.followersCount} followers)</label></fieldset>`;
        });
  const who = provider === 'facebook' ? 'Facebook' : 'Instagram';
  const body = `
    <p>The app <strong>${escape(params.client_id ?? '')}</strong> asks for <code>${escape(params.scope ?? '')}</code>.</p>
    <form method="post" action="${escape(action)}">
      ${hidden}
      ${choices.length ? choices.join('') : `<p id="no-users">No ${who} users exist in the emulator yet.</p>`}
      <button type="submit" name="decision" value="allow" id="allow">Allow</button>
      <button type="submit" name="decision" value="cancel" id="cancel">Cancel</button>
    </form>`;
  return { status: 200, html: page(`Log in with ${who} (Meta emulator)`, body) };
}

export function decideDialog(
  world: World,
  request: DialogRequest & { decision: string; user?: string; pages: string[] },
  authorize: (input: { provider: Provider; userId: string; redirectUri: string; state?: string; scopes?: string[]; pageIds?: string[] }) => {
    redirectUrl: string;
  },
): DialogAnswer {
  const problem = validateDialog(world, request);
  if (problem) return { status: 400, html: page('Error', `<p class="error">${escape(problem)}</p>`) };
  const { params, provider } = request;
  if (request.decision !== 'allow' || !request.user) {
    const url = new URL(params.redirect_uri);
    url.searchParams.set('error', 'access_denied');
    url.searchParams.set('error_code', '200');
    url.searchParams.set('error_description', 'Permissions error');
    url.searchParams.set('error_reason', 'user_denied');
    if (params.state) url.searchParams.set('state', params.state);
    url.hash = provider === 'facebook' ? '_=_' : '_';
    return { redirect: url.toString() };
  }
  const pageIds = request.pages.filter((p) => p.startsWith(`${request.user}:`)).map((p) => p.split(':')[1]);
  const scopes = params.scope ? params.scope.split(/[ ,]+/).filter(Boolean) : undefined;
  return {
    redirect: authorize({
      provider,
      userId: request.user,
      redirectUri: params.redirect_uri,
      state: params.state,
      scopes,
      pageIds: provider === 'facebook' ? pageIds : undefined,
    }).redirectUrl,
  };
}

export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>${escape(title)}</title>
<style>body{font:15px system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}fieldset{margin:.5rem 0;border:1px solid #ccc;border-radius:6px}
.page{display:block;margin-left:1.5rem}button{margin:.75rem .5rem 0 0;padding:.5rem 1.25rem}.error{color:#b00}.banner{background:#fff3cd;padding:.5rem;border-radius:6px}</style>
</head><body><p class="banner">Meta emulator: nothing here talks to Meta.</p><h1>${escape(title)}</h1>${body}</body></html>`;
}
