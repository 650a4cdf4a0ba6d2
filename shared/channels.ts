/**
 * The names of every call and event, without their schemas, so the sandboxed preload can
 * allow-list them without bundling the validators. contract.ts checks it matches, both ways.
 */
export const CALL_CHANNELS = [
  'app:get-info',
  'projects:list',
  'projects:create',
  'projects:get',
  'projects:rename',
  'projects:remove',
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
  'migration:preview',
  'migration:start',
  'migration:jobs',
  'migration:job',
  'migration:objects',
  'migration:steps',
  'migration:control',
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
  'review:comments',
  'review:add-comment',
  'rehearsal:start',
  'rehearsal:list',
  'rehearsal:show',
  'rehearsal:holdings',
  'rehearsal:diff',
  'rehearsal:signoff',
  'rehearsal:status',
  'rehearsal:policy',
  'checks:run',
  'checks:runs',
  'checks:settings',
  'workers:status',
  'workers:start',
  'workers:control',
  'projects:stores',
  'projects:create-shared',
  'projects:attach',
  'projects:move-to-store',
  'projects:test-store',
  'projects:engineer-key',
  'projects:watch',
  'target:get',
  'target:set',
  'target:test',
  'target:browse',
  'target:nodes',
  'target:node-test',
  'target:node-add',
  'target:node-remove',
  'ipmap:view',
  'ipmap:suggest',
  'ipmap:set',
  'ipmap:pool',
  'ipmap:import',
  'cutover:dns-sheet',
  'cutover:dns-sheet-export',
  'cutover:resync',
  'cutover:resync-last',
] as const;

export const EVENT_CHANNELS = [
  'jobs:progress',
  'log:line',
  'projects:changed',
  'migration:progress',
  'rehearsal:progress',
  'verification:changed',
  'workers:changed',
  'project:shared-change',
] as const;

/**
 * Files the app makes (a 10× rehearsal's CSV/JSON is hundreds of MB, a review bundle as much):
 * `MmApi.download` saves each as it is made, never holding it whole in any process and never as
 * one answer over IPC or HTTP. They are not calls.
 */
export const DOWNLOAD_CHANNELS = [
  'rehearsal:export',
  'review:export',
  'reports:verification',
  'reports:migration',
  'checks:report',
] as const;

/**
 * Work on a file the user picks (a review bundle, up to 256 MB): `MmApi.upload` hands the file to
 * the main process or the host as a file, never as one string of its bytes. They are not calls.
 */
export const UPLOAD_CHANNELS = ['review:open', 'review:merge-comments'] as const;

export type CallChannelName = (typeof CALL_CHANNELS)[number];
export type DownloadChannelName = (typeof DOWNLOAD_CHANNELS)[number];
export type UploadChannelName = (typeof UPLOAD_CHANNELS)[number];
export type EventChannelName = (typeof EVENT_CHANNELS)[number];
