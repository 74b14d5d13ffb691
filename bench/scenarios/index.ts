import { connect } from './connect';
import { costGrowth } from './cost-growth';
import { documentFlood } from './document-flood';
import { lifecycleSweep } from './lifecycle-sweep';
import { listenerCatchUp } from './listener-catch-up';
import { readPath } from './read-path';
import { subscriptionFanOut } from './subscription-fan-out';
import type { Scenario } from './types';
import { webhookDelivery } from './webhook-delivery';

/**
 * Every scenario, in the order `npm run bench` runs them. A new scenario is one module in this
 * folder exporting a Scenario, added here.
 */
export const SCENARIOS: Scenario[] = [readPath, subscriptionFanOut, connect, lifecycleSweep, costGrowth, webhookDelivery, listenerCatchUp, documentFlood];
