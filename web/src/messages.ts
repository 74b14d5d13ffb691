import type { ApiProblem } from './api';

/** What a creator reads when something goes wrong: what happened and what to do about it. */
export function explain(problem: ApiProblem): { title: string; detail: string } {
  switch (problem.code) {
    case 'OAUTH_DENIED':
      return { title: 'You cancelled the connection', detail: 'Nothing was linked. Connect again and choose Allow when you are ready.' };
    case 'NO_INSTAGRAM_ACCOUNT':
      return problem.extensions.reason === 'NO_PAGES_GRANTED'
        ? { title: 'No Facebook Page was shared', detail: problem.message }
        : { title: 'No Instagram professional account found', detail: problem.message };
    case 'PERSONAL_ACCOUNT_NOT_SUPPORTED':
      return { title: 'This is a personal Instagram account', detail: problem.message };
    case 'OAUTH_CODE_REJECTED':
    case 'INVALID_OAUTH_STATE':
      return { title: 'This connection link expired or was already used', detail: 'Start the connection again from this page.' };
    case 'RATE_LIMITED':
      return { title: 'Instagram is busy', detail: `Try again in ${problem.extensions.retryAfterSeconds ?? 60} seconds. Nothing was changed.` };
    case 'UPSTREAM_UNAVAILABLE':
      return { title: 'Instagram is not answering right now', detail: 'Nothing was changed. Try again in a moment.' };
    case 'TOKEN_EXPIRED':
    case 'ACCOUNT_DISCONNECTED':
    case 'PERMISSION_MISSING':
      return { title: 'This account needs to be connected again', detail: problem.message };
    case 'UNAUTHENTICATED':
      return { title: 'Your session ended', detail: 'Sign in again to continue.' };
    case 'NETWORK':
      return { title: 'No connection to the server', detail: problem.message };
    default:
      return { title: 'Something went wrong', detail: problem.message };
  }
}
