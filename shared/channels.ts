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
  'mapping:list',
  'mapping:set',
  'mapping:remove',
  'mapping:suggest',
  'mapping:apply-suggestions',
  'mapping:export',
  'mapping:import',
  'selection:get',
  'selection:set',
  'verification:run',
  'verification:results',
  'verification:detail',
  'verification:summary',
  'decisions:list',
  'decisions:apply',
  'decisions:preview',
  'decisions:undo',
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
  'inventory:fetch-domain-services',
  'history:object',
  'reports:verification',
  'review:export',
  'review:open',
  'review:comments',
  'review:add-comment',
  'review:merge-comments',
  'target:get',
  'target:set',
  'target:test',
  'target:browse',
] as const;

export const EVENT_CHANNELS = [
  'jobs:progress',
  'log:line',
  'projects:changed',
  'verification:changed',
] as const;

export type CallChannelName = (typeof CALL_CHANNELS)[number];
export type EventChannelName = (typeof EVENT_CHANNELS)[number];
