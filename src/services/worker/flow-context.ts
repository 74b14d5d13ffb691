import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../clock';
import type { Logger } from '../../logger';
import type { Metrics } from '../../metrics';
import type { DueAccountRepository } from '../../repositories/due-account.repository';
import type { GrantCheckRepository } from '../../repositories/grant-check.repository';
import type { AccountService } from '../accounts/account.service';
import type { FacebookClient } from '../meta/facebook-client';
import type { InstagramClient } from '../meta/instagram-client';
import type { TokenVault } from '../tokens/token-vault';
import type { AppCredentialsWatch } from './app-credentials';
import type { SweepReport } from './decisions';
import type { OutcomeRecorder } from './outcomes';
import type { LifecycleSchedule } from './schedule';

/**
 * Everything a flow (Instagram refresh, Facebook grant check, expiry re-check) needs for one
 * claimed batch. LifecycleWorker builds one per batch; flows read it and return Decisions, and
 * only the worker writes the batch's outcomes.
 */
export interface FlowContext {
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  vault: TokenVault;
  facebook: FacebookClient;
  instagram: InstagramClient;
  /** Status changes go through it (events, webhooks), never through the bulk write. */
  accounts: AccountService;
  schedule: LifecycleSchedule;
  appCredentials: AppCredentialsWatch;
  /** The worker's lease identity: every write is guarded by it. */
  owner: string;
  /** The batch's EntityManager; fork it for AccountService calls. */
  em: EntityManager;
  dueAccounts: DueAccountRepository;
  grants: GrantCheckRepository;
  report: SweepReport;
  outcomes: OutcomeRecorder;
}
