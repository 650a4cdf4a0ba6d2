/**
 * The names of every call and event, without their schemas, so the sandboxed preload can
 * allow-list them without bundling the validators. contract.ts checks it matches, both ways.
 */
export const CALL_CHANNELS = [
  'app:get-info',
  'projects:list',
  'projects:create',
  'projects:get',
  'jobs:cancel',
  'servers:list',
  'servers:add',
  'servers:test',
  'servers:remove',
  'servers:update-settings',
  'servers:pin-host-key',
  'inventory:fetch',
  'inventory:refresh',
  'inventory:list',
  'inventory:get',
  'target:get',
  'target:set',
  'target:test',
  'target:browse',
] as const;

export const EVENT_CHANNELS = ['jobs:progress', 'log:line', 'projects:changed'] as const;

export type CallChannelName = (typeof CALL_CHANNELS)[number];
export type EventChannelName = (typeof EVENT_CHANNELS)[number];
