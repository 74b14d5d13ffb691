import { DataDeletionStatus } from '../../entities';
import type { DataDeletionState } from '../../services/meta-callbacks/meta-callback.service';

/**
 * The page Meta links the user to after a data deletion request. Deliberately plain and free of
 * personal data: the code, when it was received, and whether the deletion is complete (or found
 * nothing to delete).
 */
export function deletionStatusPage(confirmationCode: string, state: DataDeletionState): string {
  const status =
    state.status === DataDeletionStatus.COMPLETED
      ? `<p class="status">Completed: your data was deleted on ${formatTime(state.completedAt ?? state.receivedAt)}.</p>`
      : state.status === DataDeletionStatus.NO_DATA_FOUND
        ? '<p class="status">No data found: we hold no data for this account, so there was nothing to delete.</p>'
        : '<p class="status">Received: your accounts are disconnected and their tokens are deleted; the remaining data will be deleted within minutes.</p>';
  return page(
    'Data deletion request',
    `<p>Confirmation code: <code>${escapeHtml(confirmationCode)}</code></p>
     <p>Received on ${formatTime(state.receivedAt)}.</p>
     ${status}`,
  );
}

export function unknownCodePage(): string {
  return page('Data deletion request not found', '<p>There is no data deletion request with this confirmation code.</p>');
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head>
<body><h1>${title}</h1>
${body}
</body></html>
`;
}

function formatTime(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
