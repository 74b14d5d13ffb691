import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError, ErrorCode } from '../../errors';
import { accountDirectoryPage, type AccountDirectoryFilter, type DirectoryPosition } from '../../repositories/account-directory.repository';
import type { AccountSnapshot } from '../../entities/account-snapshot';

/** A page's size bound: the read is a costly root field, so one operation reads at most this many rows. */
export const DIRECTORY_MAX_PAGE = 100;

export interface DirectoryPage {
  nodes: Array<{ memberId: string; account: AccountSnapshot }>;
  /** Pass as `after` for the next page; null on an empty page. */
  endCursor: string | null;
  hasNextPage: boolean;
}

/** The accounts of every member, for the platform's backend (scope accounts:read): filtered, in keyset pages. */
export class AccountDirectory {
  async page(em: EntityManager, filter: AccountDirectoryFilter, first: number, after?: string | null): Promise<DirectoryPage> {
    if (!Number.isInteger(first) || first < 1 || first > DIRECTORY_MAX_PAGE) {
      throw new AppError(ErrorCode.BAD_USER_INPUT, `first must be between 1 and ${DIRECTORY_MAX_PAGE}.`, { field: 'first' });
    }
    const { followersMin, followersMax } = filter;
    if (followersMin !== undefined && followersMax !== undefined && followersMin > followersMax) {
      throw new AppError(ErrorCode.BAD_USER_INPUT, 'followersMin is above followersMax.', { field: 'followersMin' });
    }
    const rows = await accountDirectoryPage(em, filter, after ? decodeCursor(after) : undefined, first + 1);
    const nodes = rows.slice(0, first);
    const last = nodes.at(-1);
    return {
      nodes: nodes.map(({ memberId, account }) => ({ memberId, account })),
      endCursor: last ? encodeCursor(last.position) : null,
      hasNextPage: rows.length > first,
    };
  }
}

function encodeCursor(position: DirectoryPosition): string {
  return Buffer.from(`${position.updatedAt}|${position.id}`, 'utf8').toString('base64url');
}

const CURSOR = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)\|([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

function decodeCursor(cursor: string): DirectoryPosition {
  const match = cursor.length <= 200 ? CURSOR.exec(Buffer.from(cursor, 'base64url').toString('utf8')) : null;
  if (!match) throw new AppError(ErrorCode.BAD_USER_INPUT, 'after is not a cursor of this list.', { field: 'after' });
  return { updatedAt: match[1], id: match[2] };
}
