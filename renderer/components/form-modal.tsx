/**
 * A modal holding one form: its fields, the refusal that no field shows, Cancel and the submit
 * button. Enter in a field submits (a real <form>), and the submit button spins while the call
 * runs, so each page only writes its fields and its call.
 */
import { Button, Group, Modal, Stack } from '@mantine/core';
import type { ReactNode } from 'react';
import type { AppError } from '../../shared/result';
import { ApiErrorAlert } from './api-error';

export function FormModal(props: {
  opened: boolean;
  /** "New migration project" */
  title: string;
  onClose: () => void;
  onSubmit: () => void;
  /** The submit button's label: "Create". */
  submitLabel: string;
  busy: boolean;
  /** The refusal no field of the form shows (see unlessOnField), said in an alert. */
  error: AppError | undefined;
  /** The alert's title: "The project was not created". */
  errorTitle: string;
  submitDisabled?: boolean;
  children: ReactNode;
}) {
  return (
    <Modal opened={props.opened} onClose={props.onClose} title={props.title}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          props.onSubmit();
        }}
      >
        <Stack>
          {props.children}
          {props.error && <ApiErrorAlert error={props.error} title={props.errorTitle} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={props.onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={props.busy} disabled={props.submitDisabled ?? false}>
              {props.submitLabel}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
