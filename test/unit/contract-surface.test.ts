import { describe, expect, it } from 'vitest';
import { CALL_CHANNELS, EVENT_CHANNELS, callSchemas } from '../../shared/contract';

// Drift in the contract is a visible diff in this file.
describe('contract surface', () => {
  it('lists every call and event', () => {
    expect([...CALL_CHANNELS].sort()).toEqual(Object.keys(callSchemas).sort());
    expect({ calls: [...CALL_CHANNELS].sort(), events: [...EVENT_CHANNELS].sort() }).toMatchInlineSnapshot(`
      {
        "calls": [
          "app:get-info",
          "decisions:apply",
          "decisions:list",
          "decisions:preview",
          "decisions:undo",
          "history:object",
          "inventory:fetch",
          "inventory:fetch-domain-services",
          "inventory:get",
          "inventory:list",
          "inventory:refresh",
          "jobs:cancel",
          "mapping:apply-suggestions",
          "mapping:export",
          "mapping:import",
          "mapping:list",
          "mapping:remove",
          "mapping:set",
          "mapping:suggest",
          "migration:control",
          "migration:job",
          "migration:jobs",
          "migration:objects",
          "migration:preview",
          "migration:start",
          "migration:steps",
          "projects:create",
          "projects:get",
          "projects:list",
          "projects:remove",
          "projects:rename",
          "reports:migration",
          "reports:verification",
          "review:add-comment",
          "review:comments",
          "review:export",
          "review:merge-comments",
          "review:open",
          "selection:get",
          "selection:set",
          "servers:add",
          "servers:list",
          "servers:pin-host-key",
          "servers:remove",
          "servers:test",
          "servers:update-settings",
          "target:browse",
          "target:get",
          "target:node-test",
          "target:nodes",
          "target:set",
          "target:test",
          "verification:detail",
          "verification:results",
          "verification:run",
          "verification:summary",
        ],
        "events": [
          "jobs:progress",
          "log:line",
          "migration:progress",
          "projects:changed",
          "verification:changed",
        ],
      }
    `);
  });
});
