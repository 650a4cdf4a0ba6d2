/**
 * A batch's step and object states when no process runs it (ended, paused, interrupted), from
 * the states its journal recorded, with the executor's own rules: a step waiting on a failed or
 * blocked one is blocked, an object's state comes from its steps', and an account is migrated
 * only when every domain of it in the batch is. So the per-object views (the Migration page,
 * the dashboard, the report) say what the batch's summary says.
 */
import type { MigrationPlan, ObjectKey, ObjectState, StepState } from '../../../shared/model/migration';
import { batchObjectStates, objectStateOf, settledBad } from './step-rules';

export function recordedBatchStates(
  plan: MigrationPlan,
  recorded: ReadonlyMap<string, StepState>,
): { states: Map<string, StepState>; objects: Map<ObjectKey, ObjectState> } {
  const states = new Map(recorded);
  // The plan lists dependencies first, so one pass carries "blocked" down every chain.
  for (const s of plan.steps) {
    if ((states.get(s.id) ?? 'pending') !== 'pending') continue;
    if (s.dependsOn.some((d) => settledBad(states.get(d) ?? 'pending'))) states.set(s.id, 'blocked');
  }
  const objects = batchObjectStates(plan, (steps) =>
    objectStateOf(
      steps.map((id) => states.get(id) ?? 'pending'),
      false,
    ),
  );
  return { states, objects };
}
